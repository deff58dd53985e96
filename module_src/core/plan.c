/* SPDX-License-Identifier: MIT */
/* desired - current = what to change, live and persisted, per key. */
#include "plan.h"
#include "conf.h"
#include "core.h"
#include "winmup.h"

#include <stdlib.h>
#include <string.h>

static bool key_on_os(pt_key_t k, pt_os_t os)
{
    return os == PT_OS_LINUX ? pt_keys[k].linux_key : pt_keys[k].windows_key;
}

bool pt_plan_in_scope(const pt_options_t *opts, pt_os_t os, pt_key_t k)
{
    int i;
    bool any = false;

    if (!key_on_os(k, os))
        return false;
    if (opts->has[k])
        return true;
    if (opts->state != PT_STATE_ABSENT)
        return false;
    for (i = 0; i < PT_K__COUNT; i++)
        any = any || (opts->has[i] && key_on_os((pt_key_t)i, os));
    return !any;
}

void pt_plan_free(pt_plan_t *plan)
{
    int k;

    for (k = 0; k < PT_K__COUNT; k++)
        pt_value_free(&plan->made[k]);
    free(plan->file_after);
    memset(plan, 0, sizeof(*plan));
}

const pt_value_t *pt_plan_live_after(const pt_options_t *opts, const pt_current_t *cur,
                                     const pt_plan_t *plan, pt_key_t k)
{
    (void)opts;
    if (plan->change[k].live)
        return &plan->change[k].target;
    return cur->key[k].live_set ? &cur->key[k].live : NULL;
}

/* Windows Vista and later (state=present): MaxUserPort is not ignored but
 * replaces the dynamic port range at the next boot. Setting it warns loudly
 * and fails when port_range is in the same task (netsh cannot set the range
 * MaxUserPort implies, which starts at 1024, so any port_range differs); a value
 * already in the registry warns when the task does not set it. */
static int check_max_user_port(pt_options_t *opts, const pt_current_t *cur, pt_error_t *err)
{
    const pt_value_t *r = &opts->want[PT_K_PORT_RANGE];
    long long v;
    uint32_t lo, hi;
    char text[1024];

    if (opts->has[PT_K_MAX_USER_PORT]) {
        v = opts->want[PT_K_MAX_USER_PORT].num;
        /* netsh takes no start below 1025: every port_range contradicts it. */
        if (opts->has[PT_K_PORT_RANGE] && pt_mup_next_range(v, &lo, &hi))
            return pt_error_set(err, PT_EINVAL, 0, "max_user_port",
                "max_user_port: %lld contradicts port_range %u-%u in the same task: on "
                "Windows Vista and later (this host: %u.%u) MaxUserPort = %lld makes "
                "Windows replace the TCP dynamic port range with %u-%u at the next boot. "
                "Give only one of them: port_range (recommended) or max_user_port. "
                "Nothing was changed.", v, (unsigned)r->range.lo, (unsigned)r->range.hi,
                cur->windows_major, cur->windows_minor, v, (unsigned)lo, (unsigned)hi);
        pt_mup_set_text(v, cur->windows_major, cur->windows_minor, text, sizeof(text));
        pt_strlist_add(&opts->warnings, "%s", text);
    } else if (pt_mup_risk(cur, &v)) {
        pt_mup_risk_text(v, cur->windows_major, cur->windows_minor, text, sizeof(text));
        pt_strlist_add(&opts->warnings, "%s", text);
    }
    return 0;
}

static int check_host_limits(pt_options_t *opts, const pt_current_t *cur, pt_error_t *err)
{
    const pt_value_t *r = &opts->want[PT_K_PORT_RANGE];
    int k, rc;

    for (k = 0; k < PT_K__COUNT; k++) {
        if (!opts->has[k])
            continue;
        if (!key_on_os((pt_key_t)k, cur->os)) {
            pt_strlist_add(&opts->warnings, "%s applies to %s hosts only; skipped on this %s host.",
                           pt_keys[k].option, cur->os == PT_OS_LINUX ? "Windows" : "Linux",
                           cur->os == PT_OS_LINUX ? "Linux" : "Windows");
            continue;
        }
        if (!cur->key[k].supported && opts->state == PT_STATE_PRESENT) {
            if (k == PT_K_TW_REUSE_DELAY)
                return pt_error_set(err, PT_ENOTSUP, 0, pt_keys[k].option,
                    "tw_reuse_delay: this kernel has no %s (it appeared in Linux 6.13); "
                    "leave the option out for this host. Nothing was changed.",
                    pt_keys[k].sysctl);
            return pt_error_set(err, PT_ENOTSUP, 0, pt_keys[k].option,
                "%s: this host has no %s; leave the option out for this host. "
                "Nothing was changed.", pt_keys[k].option,
                pt_keys[k].sysctl ? pt_keys[k].sysctl : pt_keys[k].regvalue);
        }
    }
    if (opts->state != PT_STATE_PRESENT)
        return 0;
    if (opts->has[PT_K_PORT_RANGE] && cur->os == PT_OS_LINUX) {
        if (r->range.lo < cur->unpriv_port_start)
            return pt_error_set(err, PT_EINVAL, 0, "port_range",
                "port_range: %u-%u starts below net.ipv4.ip_unprivileged_port_start "
                "(%u) on this host, which the kernel refuses; start at %u or above. "
                "Nothing was changed.", (unsigned)r->range.lo, (unsigned)r->range.hi,
                cur->unpriv_port_start, cur->unpriv_port_start);
        if ((r->range.lo & 1) == (r->range.hi & 1))
            pt_strlist_add(&opts->warnings,
                "port_range %u-%u: start and end have the same parity; the kernel "
                "advises an even start and an odd end (or the reverse) so that "
                "connect() and bind() ports split evenly.",
                (unsigned)r->range.lo, (unsigned)r->range.hi);
    }
    if (opts->has[PT_K_PORT_RANGE] && cur->os == PT_OS_WINDOWS &&
        (r->range.lo < 1025 || r->range.hi - r->range.lo + 1 < 255))
        return pt_error_set(err, PT_EINVAL, 0, "port_range",
            "port_range: %u-%u is not a valid Windows dynamic port range; it must "
            "start at 1025 or above and hold at least 255 ports. Nothing was changed.",
            (unsigned)r->range.lo, (unsigned)r->range.hi);
    if (opts->has[PT_K_FIN_TIMEOUT] && cur->os == PT_OS_LINUX &&
        opts->want[PT_K_FIN_TIMEOUT].num < 30)
        pt_strlist_add(&opts->warnings,
            "fin_timeout %lld is below 30 s: orphaned connections in FIN_WAIT_2 are "
            "dropped early (note: this is not the TIME_WAIT time, which is 60 s on Linux).",
            opts->want[PT_K_FIN_TIMEOUT].num);
    if (opts->has[PT_K_MAX_TW_BUCKETS] && cur->os == PT_OS_LINUX &&
        opts->want[PT_K_MAX_TW_BUCKETS].num == 0)
        pt_strlist_add(&opts->warnings,
            "max_tw_buckets 0 destroys TIME_WAIT sockets at once; late packets of old "
            "connections can then corrupt new ones.");
    if (opts->has[PT_K_TW_REUSE] && cur->os == PT_OS_LINUX &&
        opts->want[PT_K_TW_REUSE].num == 1)
        pt_strlist_add(&opts->warnings,
            "tw_reuse 1 needs TCP timestamps and can break clients behind NAT that "
            "share one address; 2 (loopback only) is the kernel default.");
    if (cur->os == PT_OS_WINDOWS && !cur->windows_pre_vista) {
        rc = check_max_user_port(opts, cur, err);
        if (rc != 0)
            return rc;
    }
    if (opts->has[PT_K_RESERVED_PORTS] && cur->os == PT_OS_LINUX) {
        const pt_value_t *range = opts->has[PT_K_PORT_RANGE] ? r
            : (cur->key[PT_K_PORT_RANGE].live_set ? &cur->key[PT_K_PORT_RANGE].live : NULL);
        const pt_value_t *set = &opts->want[PT_K_RESERVED_PORTS];
        if (range != NULL) {
            unsigned long total = 0, in = pt_portset_count_in(set, range->range.lo, range->range.hi);
            size_t i;
            for (i = 0; i < set->nset; i++)
                total += set->set[i].hi - set->set[i].lo + 1;
            if (in < total)
                pt_strlist_add(&opts->warnings,
                    "reserved_ports: %lu of %lu ports lie outside the port range %u-%u; "
                    "reserving them has no effect on client ports.", total - in, total,
                    (unsigned)range->range.lo, (unsigned)range->range.hi);
        }
    }
    return 0;
}

/* A later file's line decides key k at boot; it conflicts when its value is
 * not what this run makes ours. */
static void mark_conflicts(const pt_options_t *opts, const pt_current_t *cur, pt_plan_t *plan)
{
    size_t i;

    for (i = 0; i < cur->nconflicts; i++) {
        const pt_conflict_t *c = &cur->conflicts[i];

        if (!c->wins || !opts->has[c->key] || opts->state != PT_STATE_PRESENT)
            continue;
        /* Equal values spelled differently (030 and 24) are no conflict. */
        if (c->unset || c->refused || !pt_value_equal(&c->effect, &opts->want[c->key]))
            plan->conflict[c->key] = true;
    }
}

static void warn_boot(pt_options_t *opts, const pt_current_t *cur, const pt_plan_t *plan)
{
    size_t i;

    for (i = 0; i < cur->nconflicts; i++) {
        const pt_conflict_t *c = &cur->conflicts[i];
        if (!c->wins || !plan->conflict[c->key] || opts->conflicts != PT_CONFLICTS_WARN)
            continue;
        if (c->unset)
            pt_strlist_add(&opts->warnings,
                "%s: %s:%u removes %s ('-%s' without a value) and is read after %s at "
                "boot, so at next boot the key is not set and keeps the kernel's default.",
                pt_keys[c->key].option, c->file, c->line, pt_keys[c->key].sysctl,
                pt_keys[c->key].sysctl, opts->sysctl_file);
        else if (c->refused)
            pt_strlist_add(&opts->warnings,
                "%s: %s:%u sets %s = %s, which the kernel refuses, and is read after %s "
                "at boot, so at next boot the key keeps the kernel's default.",
                pt_keys[c->key].option, c->file, c->line, pt_keys[c->key].sysctl,
                c->value, opts->sysctl_file);
        else
            pt_strlist_add(&opts->warnings,
                "%s: %s:%u sets %s = %s and is read after %s at boot, so that value "
                "wins at next boot.", pt_keys[c->key].option, c->file, c->line,
                pt_keys[c->key].sysctl, c->value, opts->sysctl_file);
    }
    if (opts->persist && opts->state == PT_STATE_PRESENT && cur->os == PT_OS_LINUX) {
        if (cur->file_masked_by != NULL)
            pt_strlist_add(&opts->warnings,
                "%s is masked by %s (same name, earlier directory) and will not be "
                "read at boot.", opts->sysctl_file, cur->file_masked_by);
        else if (!cur->file_at_boot && strcmp(opts->sysctl_file, "/etc/sysctl.conf") == 0)
            pt_strlist_add(&opts->warnings,
                "/etc/sysctl.conf is not read at boot: systemd-sysctl reads it only "
                "through a link in a sysctl.d directory (Debian's and RHEL's "
                "/etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf), and this host has none.");
        else if (!cur->file_at_boot)
            pt_strlist_add(&opts->warnings,
                "%s is not read at boot (systemd-sysctl reads only *.conf files in "
                "/etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d and /usr/lib/sysctl.d, "
                "links there included).", opts->sysctl_file);
    }
}

static int plan_file(const pt_options_t *opts, const pt_current_t *cur, pt_plan_t *plan,
                     pt_error_t *err)
{
    pt_conf_t *conf = NULL;
    char *text;
    int k;

    if (!plan->any_persist)
        return 0;
    /* Edit a copy: cur stays as read (it is const here), so planning twice agrees. */
    if (cur->file != NULL) {
        text = pt_conf_render(cur->file);
        if (text != NULL && pt_conf_parse(text, strlen(text), opts->sysctl_file, &conf, err) != 0) {
            free(text);
            return err->code;
        }
        free(text);
    } else {
        conf = pt_conf_new_owned();
    }
    if (conf == NULL)
        return pt_error_set(err, PT_ENOMEM, 0, opts->sysctl_file, "out of memory. Nothing was changed.");
    for (k = 0; k < PT_K__COUNT; k++) {
        const pt_change_t *c = &plan->change[k];
        if (!c->persist)
            continue;
        if (c->remove) {
            pt_conf_remove(conf, (pt_key_t)k);
        } else {
            char *val = pt__value_strdup(&opts->want[k], true);
            int rc = val ? pt_conf_set(conf, (pt_key_t)k, val) : PT_ENOMEM;
            free(val);
            if (rc != 0) {
                pt_conf_free(conf);
                return pt_error_set(err, PT_ENOMEM, 0, opts->sysctl_file, "out of memory. Nothing was changed.");
            }
        }
    }
    if (conf->owned && !pt_conf_has_assignments(conf) && cur->file_exists) {
        plan->file_unlink = true;
    } else {
        text = pt_conf_render(conf);
        if (text == NULL) {
            pt_conf_free(conf);
            return pt_error_set(err, PT_ENOMEM, 0, opts->sysctl_file, "out of memory. Nothing was changed.");
        }
        plan->file_after = text;
        plan->file_write = cur->file_text == NULL || strcmp(cur->file_text, text) != 0;
    }
    pt_conf_free(conf);
    return 0;
}

/* Windows' excluded port ranges are shared with Hyper-V, WinNAT, Docker and
 * administrators: the list is porttune's part of them, so the target is what
 * others excluded (original: live without porttune's ranges) plus the list. */
static int shared_target(const pt_options_t *opts, const pt_keystate_t *ks, pt_value_t *out,
                         pt_error_t *err)
{
    const pt_value_t *base = ks->original_set ? &ks->original : &ks->live;
    const pt_value_t *want = &opts->want[PT_K_RESERVED_PORTS];
    size_t i;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->type = PT_T_PORTSET;
    for (i = 0; i < base->nset && rc == 0; i++)
        rc = pt__portset_add(out, base->set[i].lo, base->set[i].hi);
    for (i = 0; i < want->nset && rc == 0; i++)
        rc = pt__portset_add(out, want->set[i].lo, want->set[i].hi);
    if (rc != 0)
        pt_value_free(out);
    if (rc == PT_ENOMEM)
        return pt_error_set(err, PT_ENOMEM, 0, "reserved_ports", "out of memory. Nothing was changed.");
    if (rc != 0)
        return pt_error_set(err, PT_EINVAL, 0, "reserved_ports",
            "reserved_ports: with the ranges other software excluded there are more "
            "than %d separate ranges. Nothing was changed.", PT_PORTSET_MAX);
    pt__portset_canon(out);
    return 0;
}

int pt_plan_make(pt_options_t *opts, const pt_current_t *cur, pt_plan_t *plan,
                 pt_error_t *err)
{
    int k, rc;
    bool persist = opts->persist && cur->os == PT_OS_LINUX;

    memset(plan, 0, sizeof(*plan));
    for (k = 0; k < (int)cur->notes.n; k++)
        pt_strlist_add(&opts->warnings, "%s", cur->notes.items[k]);
    opts->warnings.lost |= cur->notes.lost;
    rc = check_host_limits(opts, cur, err);
    if (rc != 0)
        return rc;
    for (k = 0; k < PT_K__COUNT; k++) {
        const pt_keystate_t *ks = &cur->key[k];
        pt_change_t *c = &plan->change[k];

        if (!pt_plan_in_scope(opts, cur->os, (pt_key_t)k) || !ks->supported)
            continue;
        if (opts->state == PT_STATE_PRESENT && cur->os == PT_OS_WINDOWS &&
            k == PT_K_RESERVED_PORTS) {
            rc = shared_target(opts, ks, &plan->made[k], err);
            if (rc != 0)
                return rc;
            c->live = opts->apply && !(ks->live_set && pt_value_equal(&ks->live, &plan->made[k]));
            c->target = plan->made[k];
        } else if (opts->state == PT_STATE_PRESENT) {
            c->live = opts->apply && !(ks->live_set && pt_value_equal(&ks->live, &opts->want[k]));
            c->persist = persist && !(ks->persisted_set && pt_value_equal(&ks->persisted, &opts->want[k]));
            c->target = opts->want[k];
        } else {
            c->remove = persist && cur->file != NULL && pt_conf_find(cur->file, (pt_key_t)k) >= 0;
            c->persist = c->remove;
            c->restore = opts->apply && ks->original_set &&
                         !(ks->live_set && pt_value_equal(&ks->live, &ks->original));
            c->live = c->restore;
            c->forget = opts->apply && ks->original_set;
            c->target = ks->original;
        }
        plan->any_live = plan->any_live || c->live;
        plan->any_persist = plan->any_persist || c->persist;
        plan->any_forget = plan->any_forget || c->forget;
        if (c->live && cur->os == PT_OS_WINDOWS && pt_keys[k].regvalue != NULL)
            plan->reboot_required = true;
    }
    mark_conflicts(opts, cur, plan);
    warn_boot(opts, cur, plan);
    /* A failed result carries no 'conflicts' list, so name the line here. */
    for (k = 0; k < PT_K__COUNT; k++) {
        const pt_conflict_t *w = NULL;
        size_t i;

        if (!plan->conflict[k] || opts->conflicts != PT_CONFLICTS_FAIL)
            continue;
        for (i = 0; i < cur->nconflicts; i++)
            if (cur->conflicts[i].key == (pt_key_t)k && cur->conflicts[i].wins)
                w = &cur->conflicts[i];
        return pt_error_set(err, PT_ECONFLICT, 0, pt_keys[k].option,
            "%s: another file sets %s at boot after %s and would override the "
            "value (%s:%u %s%s%s); conflicts=fail, so nothing was changed.",
            pt_keys[k].option, pt_keys[k].sysctl, opts->sysctl_file,
            w ? w->file : "?", w ? w->line : 0u,
            w && w->unset ? "removes the key" : "sets ", w && w->unset ? "" : w ? w->value : "?",
            w && w->refused ? ", which the kernel refuses" : "");
    }
    return plan_file(opts, cur, plan, err);
}
