/* SPDX-License-Identifier: MIT */
/* Unit tests of the whole converge on a fake root and a fake /proc/sys. */
#include "helpers.h"
#include "core/conf.h"
#include "core/result.h"

#define OURS PT_DEFAULT_SYSCTL_FILE
#define STATE PT_DEFAULT_STATE_FILE
#define FIN "net.ipv4.tcp_fin_timeout"
#define RANGE "net.ipv4.ip_local_port_range"
#define RESERVED "net.ipv4.ip_local_reserved_ports"
#define REUSE "net.ipv4.tcp_tw_reuse"

#include <sys/syscall.h>

/* Fault injection: fsync of the directory with this inode fails with EIO
 * (0: off). This file's fsync takes the place of libc's for the code under
 * test; others go to the kernel. */
static ino_t fail_dir_sync_ino;

int fsync(int fd)
{
    struct stat st;

    if (fail_dir_sync_ino != 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
        st.st_ino == fail_dir_sync_ino) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fsync, fd);
}

typedef struct fixture {
    pt_fake_t fake;
    json_t *result;
    pt_error_t err;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    pt_fake_init(&f->fake);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    json_decref(f->result);
    pt_fake_free(&f->fake);
    free(f);
    return 0;
}

static void *no_json_memory(size_t n)
{
    (void)n;
    return NULL;
}

/* Converges the fake host with task arguments json (json_memory false:
 * every jansson allocation of the converge fails); the result (on success)
 * is kept in f->result until the next run. */
static int run_with(fixture_t *f, const char *json, bool json_memory)
{
    pt_options_t o;
    int rc;

    json_decref(f->result);
    f->result = NULL;
    if (pt_test_options(json, &o, &f->err) != 0)
        fail_msg("%s: %s", json, f->err.msg);
    if (!json_memory)
        json_set_alloc_funcs(no_json_memory, free);
    rc = pt_converge(&f->fake.ctx, &o, &f->result, &f->err);
    json_set_alloc_funcs(malloc, free);
    if (rc == 0)
        assert_non_null(f->result);
    else
        assert_null(f->result);
    pt_options_free(&o);
    return rc;
}

static int run(fixture_t *f, const char *json)
{
    return run_with(f, json, true);
}

static void run_ok(fixture_t *f, const char *json)
{
    if (run(f, json) != 0)
        fail_msg("%s failed: %s", json, f->err.msg);
}

static bool changed(const fixture_t *f)
{
    json_t *c = json_object_get(f->result, "changed");

    assert_true(json_is_boolean(c));
    return json_is_true(c);
}

static json_t *setting(const fixture_t *f, const char *option)
{
    json_t *s = json_object_get(json_object_get(f->result, "settings"), option);

    if (s == NULL)
        fail_msg("no settings.%s in the result", option);
    return s;
}

static bool flag(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);

    if (!json_is_boolean(v))
        fail_msg("%s is not a boolean", name);
    return json_is_true(v);
}

static void assert_live(const fixture_t *f, const char *sysctl, const char *want)
{
    char *got = pt_fake_live(&f->fake, sysctl);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void assert_file(const fixture_t *f, const char *rel, const char *want)
{
    char *got = pt_test_read(f->fake.root, rel);

    if (got == NULL)
        fail_msg("%s does not exist", rel);
    assert_string_equal(got, want);
    free(got);
}

static bool has_warning(const fixture_t *f, const char *part)
{
    json_t *w = json_object_get(f->result, "warnings"), *item;
    size_t i;

    json_array_foreach(w, i, item)
        if (strstr(json_string_value(item), part) != NULL)
            return true;
    return false;
}

static const char full_args[] =
    "{\"port_range\": \"1024-65535\", \"reserved_ports\": \"8081,8080,9000-9100\", "
    "\"fin_timeout\": \"30\", \"tw_reuse\": 1, \"max_tw_buckets\": 200000}";

static const char full_file[] =
    PT_CONF_HEADER "\n"
    RANGE " = 1024 65535\n"
    RESERVED " = 8080-8081,9000-9100\n"
    FIN " = 30\n"
    REUSE " = 1\n"
    "net.ipv4.tcp_max_tw_buckets = 200000\n";

static void converge_first_run_changes_second_run_does_not(void **state)
{
    fixture_t *f = *state;
    struct stat st;
    json_t *orig;

    run_ok(f, full_args);
    assert_true(changed(f));
    assert_true(flag(setting(f, "fin_timeout"), "live_changed"));
    assert_true(flag(setting(f, "fin_timeout"), "persisted_changed"));
    assert_live(f, RANGE, "1024 65535");
    assert_live(f, RESERVED, "8080-8081,9000-9100");
    assert_live(f, FIN, "30");
    assert_live(f, REUSE, "1");
    assert_live(f, "net.ipv4.tcp_tw_reuse_delay", "1000\n");        /* not asked: untouched */
    assert_file(f, OURS, full_file);
    pt_test_stat(f->fake.root, OURS, &st);
    assert_int_equal(st.st_mode & 07777, 0644);
    {
        char path[PATH_MAX];
        json_t *saved;
        pt_test_join(path, sizeof(path), f->fake.root, STATE);
        saved = json_load_file(path, 0, NULL);
        orig = json_object_get(saved, "original");
        assert_non_null(orig);
        assert_string_equal(json_string_value(json_object_get(orig, "port_range")), "32768 60999");
        assert_string_equal(json_string_value(json_object_get(orig, "fin_timeout")), "60");
        assert_string_equal(json_string_value(json_object_get(orig, "reserved_ports")), "");
        assert_null(json_object_get(orig, "tw_reuse_delay"));     /* not changed: not recorded */
        json_decref(saved);
    }

    /* The kernel prints the range with a TAB; that is not a change. */
    pt_fake_set_live(&f->fake, RANGE, "1024\t65535\n");
    pt_test_age(f->fake.root, OURS);
    run_ok(f, full_args);
    assert_false(changed(f));
    assert_false(flag(setting(f, "port_range"), "changed"));
    assert_false(flag(setting(f, "reserved_ports"), "changed"));
    pt_test_stat(f->fake.root, OURS, &st);
    assert_int_equal(st.st_mtim.tv_sec, 946684800);       /* not rewritten */
    assert_file(f, OURS, full_file);
    assert_live(f, RANGE, "1024\t65535\n");
}

static void converge_check_mode_writes_nothing(void **state)
{
    fixture_t *f = *state;
    char *before, *after;

    before = pt_test_snapshot(f->fake.root);
    run_ok(f, "{\"fin_timeout\": 30, \"port_range\": \"1024-65535\", \"_ansible_check_mode\": true}");
    assert_true(changed(f));
    assert_int_equal(json_integer_value(json_object_get(setting(f, "fin_timeout"), "after")), 30);
    assert_int_equal(json_integer_value(json_object_get(setting(f, "fin_timeout"), "before")), 60);
    assert_true(flag(setting(f, "fin_timeout"), "live_changed"));
    after = pt_test_snapshot(f->fake.root);
    assert_string_equal(after, before);
    assert_false(pt_test_exists(f->fake.root, OURS));
    assert_false(pt_test_exists(f->fake.root, STATE));
    free(before);
    free(after);

    /* after a real run, check mode of state=absent changes nothing either */
    run_ok(f, "{\"fin_timeout\": 30}");
    before = pt_test_snapshot(f->fake.root);
    run_ok(f, "{\"state\": \"absent\", \"_ansible_check_mode\": \"yes\"}");
    assert_true(changed(f));
    after = pt_test_snapshot(f->fake.root);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void converge_diff_shows_live_and_file_text(void **state)
{
    fixture_t *f = *state;
    json_t *diff, *live, *file;

    run_ok(f, "{\"fin_timeout\": 30, \"tw_reuse\": 2, \"_ansible_diff\": true, "
              "\"_ansible_check_mode\": true}");
    diff = json_object_get(f->result, "diff");
    assert_true(json_is_array(diff));
    assert_int_equal(json_array_size(diff), 2);
    live = json_array_get(diff, 0);
    file = json_array_get(diff, 1);
    assert_string_equal(json_string_value(json_object_get(live, "before_header")), "live values (/proc/sys)");
    assert_string_equal(json_string_value(json_object_get(live, "before")),
                        FIN " = 60\n" REUSE " = 2\n");
    assert_string_equal(json_string_value(json_object_get(live, "after")),
                        FIN " = 30\n" REUSE " = 2\n");
    assert_string_equal(json_string_value(json_object_get(file, "before_header")), OURS);
    assert_string_equal(json_string_value(json_object_get(file, "after_header")), OURS);
    assert_string_equal(json_string_value(json_object_get(file, "before")), "");
    assert_string_equal(json_string_value(json_object_get(file, "after")),
                        PT_CONF_HEADER "\n" FIN " = 30\n" REUSE " = 2\n");
    /* without _ansible_diff: no diff key */
    run_ok(f, "{\"fin_timeout\": 30}");
    assert_null(json_object_get(f->result, "diff"));
    /* nothing to change: before equals after */
    run_ok(f, "{\"fin_timeout\": 30, \"_ansible_diff\": 1}");
    diff = json_object_get(f->result, "diff");
    file = json_array_get(diff, 1);
    assert_string_equal(json_string_value(json_object_get(file, "before")),
                        json_string_value(json_object_get(file, "after")));
}

static void converge_backup_keeps_old_copy(void **state)
{
    static const char old[] = PT_CONF_HEADER "\n" FIN " = 45\n";
    fixture_t *f = *state;
    const char *bk;
    size_t n;

    pt_test_write(f->fake.root, OURS, old);
    run_ok(f, "{\"fin_timeout\": 30, \"backup\": true}");
    assert_true(changed(f));
    bk = json_string_value(json_object_get(f->result, "backup_file"));
    assert_non_null(bk);
    n = strlen(bk);
    assert_true(strncmp(bk, OURS ".", strlen(OURS) + 1) == 0);
    assert_int_equal(bk[n - 1], '~');          /* never *.conf: boot skips it */
    assert_file(f, bk, old);
    assert_file(f, OURS, PT_CONF_HEADER "\n" FIN " = 30\n");
    /* no change, no backup */
    run_ok(f, "{\"fin_timeout\": 30, \"backup\": true}");
    assert_false(changed(f));
    assert_null(json_object_get(f->result, "backup_file"));
}

static void converge_absent_restores_originals_and_removes_file(void **state)
{
    fixture_t *f = *state;

    run_ok(f, "{\"fin_timeout\": 30, \"tw_reuse\": 1, \"port_range\": \"1024-65535\"}");
    assert_true(pt_test_exists(f->fake.root, OURS));
    assert_true(pt_test_exists(f->fake.root, STATE));
    /* a later run does not overwrite the first recorded originals */
    run_ok(f, "{\"fin_timeout\": 40}");
    assert_live(f, FIN, "40");
    run_ok(f, "{\"state\": \"absent\"}");
    assert_true(changed(f));
    assert_live(f, FIN, "60");
    assert_live(f, REUSE, "2");
    assert_live(f, RANGE, "32768 60999");
    assert_false(pt_test_exists(f->fake.root, OURS));
    assert_false(pt_test_exists(f->fake.root, STATE));
    assert_true(flag(setting(f, "fin_timeout"), "persisted_changed"));
    run_ok(f, "{\"state\": \"absent\"}");
    assert_false(changed(f));
}

static void converge_absent_keeps_other_lines_of_a_shared_file(void **state)
{
    fixture_t *f = *state;

    pt_test_write(f->fake.root, "/etc/sysctl.conf", "# admin\nvm.swappiness = 10\n");
    run_ok(f, "{\"fin_timeout\": 30, \"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_file(f, "/etc/sysctl.conf", "# admin\nvm.swappiness = 10\n" FIN " = 30\n");
    run_ok(f, "{\"state\": \"absent\", \"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_file(f, "/etc/sysctl.conf", "# admin\nvm.swappiness = 10\n");
    assert_live(f, FIN, "60");
}

static void converge_live_drift_fixed_file_untouched(void **state)
{
    fixture_t *f = *state;
    struct stat st;

    run_ok(f, "{\"fin_timeout\": 30}");
    pt_fake_set_live(&f->fake, FIN, "45\n");          /* someone ran sysctl -w */
    pt_test_age(f->fake.root, OURS);
    run_ok(f, "{\"fin_timeout\": 30}");
    assert_true(changed(f));
    assert_true(flag(setting(f, "fin_timeout"), "live_changed"));
    assert_false(flag(setting(f, "fin_timeout"), "persisted_changed"));
    assert_live(f, FIN, "30");
    pt_test_stat(f->fake.root, OURS, &st);
    assert_int_equal(st.st_mtim.tv_sec, 946684800);
}

static void converge_file_drift_fixed_live_untouched(void **state)
{
    fixture_t *f = *state;

    run_ok(f, "{\"fin_timeout\": 30}");
    pt_test_write(f->fake.root, OURS, PT_CONF_HEADER "\n" FIN " = 45\n");   /* hand edit */
    pt_fake_set_live(&f->fake, FIN, "30\n");
    run_ok(f, "{\"fin_timeout\": 30}");
    assert_true(changed(f));
    assert_false(flag(setting(f, "fin_timeout"), "live_changed"));
    assert_true(flag(setting(f, "fin_timeout"), "persisted_changed"));
    assert_live(f, FIN, "30\n");                       /* not rewritten */
    assert_file(f, OURS, PT_CONF_HEADER "\n" FIN " = 30\n");
}

static void converge_apply_false_persists_only(void **state)
{
    fixture_t *f = *state;

    run_ok(f, "{\"fin_timeout\": 30, \"apply\": false}");
    assert_true(changed(f));
    assert_live(f, FIN, "60\n");
    assert_file(f, OURS, PT_CONF_HEADER "\n" FIN " = 30\n");
    assert_int_equal(json_integer_value(json_object_get(setting(f, "fin_timeout"), "after")), 60);
    assert_int_equal(json_integer_value(json_object_get(setting(f, "fin_timeout"), "persisted_after")), 30);
    assert_false(pt_test_exists(f->fake.root, STATE));   /* nothing live changed */
}

static void converge_live_write_failure_rolls_back_and_leaves_file(void **state)
{
    fixture_t *f = *state;
    char rel[] = "/proc/sys/net/ipv4/ip_local_reserved_ports", full[PATH_MAX];

    /* A knob that accepts the write and reads back something else: the
     * range (written first) must be put back and the file never written. */
    pt_test_join(full, sizeof(full), f->fake.root, rel);
    assert_int_equal(unlink(full), 0);
    pt_test_symlink(f->fake.root, rel, "/dev/null");
    pt_test_assert_error(run(f, "{\"port_range\": \"1024-65535\", \"reserved_ports\": 8080}"),
        &f->err, PT_EIO, "reserved_ports", RESERVED " = 8080",
        "The values this run wrote were put back; the file was not changed.", NULL);
    assert_live(f, RANGE, "32768 60999");
    assert_false(pt_test_exists(f->fake.root, OURS));
}

static void converge_persist_failure_rolls_back_live(void **state)
{
    fixture_t *f = *state;

    pt_test_assert_error(run(f, "{\"fin_timeout\": 30, \"sysctl_file\": \"/nonexistent/dir/p.conf\"}"),
        &f->err, PT_EIO, "/nonexistent/dir/p.conf", "/nonexistent/dir does not exist",
        "The live values written by this run were put back.", NULL);
    assert_live(f, FIN, "60");
}

/* The rename went through and only the directory's sync failed: the file is
 * the new one, so the live values stay set to match it (no roll-back), the
 * failure says a change stayed, and the originals are recorded. */
static void converge_dir_sync_failure_keeps_the_change(void **state)
{
    fixture_t *f = *state;
    char dir[PATH_MAX], *text;
    struct stat st;

    pt_test_join(dir, sizeof(dir), f->fake.root, "/etc/sysctl.d");
    assert_int_equal(stat(dir, &st), 0);
    fail_dir_sync_ino = st.st_ino;
    pt_test_assert_error(run(f, "{\"fin_timeout\": 30}"), &f->err, PT_EIO, OURS,
        "but syncing its directory failed: Input/output error",
        "The live values were set to match it.", NULL);
    fail_dir_sync_ino = 0;
    assert_true(f->err.changed);
    assert_live(f, FIN, "30");
    text = pt_test_read(f->fake.root, OURS);
    assert_non_null(strstr(text, FIN " = 30\n"));
    free(text);
    text = pt_test_read(f->fake.root, STATE);
    assert_non_null(strstr(text, "\"fin_timeout\""));
    free(text);
    /* A failure that was put back says nothing stayed. */
    pt_test_assert_error(run(f, "{\"fin_timeout\": 45, \"sysctl_file\": \"/nonexistent/d/p.conf\"}"),
        &f->err, PT_EIO, "/nonexistent/d/p.conf", "put back", NULL);
    assert_false(f->err.changed);
    assert_live(f, FIN, "30");
    /* A failed absent run forgets no original (it cannot tell which it
     * really put back); the next one finds the value restored and then
     * forgets it. */
    fail_dir_sync_ino = st.st_ino;
    pt_test_assert_error(run(f, "{\"state\": \"absent\"}"), &f->err, PT_EIO, OURS,
        "but syncing its directory failed", NULL);
    fail_dir_sync_ino = 0;
    assert_true(f->err.changed);
    assert_live(f, FIN, "60");
    text = pt_test_read(f->fake.root, STATE);
    assert_non_null(strstr(text, "\"fin_timeout\""));
    free(text);
    run_ok(f, "{\"state\": \"absent\"}");
    assert_live(f, FIN, "60");
    assert_false(pt_test_exists(f->fake.root, STATE));
}

/* Out of memory for the report after the settings were written: the
 * failure must say that a change stayed (exit 6, changed: true). */
static void converge_result_oom_after_changes_says_changed(void **state)
{
    fixture_t *f = *state;

    /* The converge itself needs no JSON with state=present: the settings
     * are applied, then the result cannot be built. */
    pt_test_assert_error(run_with(f, "{\"fin_timeout\": 30}", false), &f->err,
        PT_ENOMEM, "result", "the settings were applied", NULL);
    assert_true(f->err.changed);
    assert_live(f, FIN, "30");
    pt_test_assert_error(run_with(f, "{\"fin_timeout\": 30}", false), &f->err,
        PT_ENOMEM, "result", "out of memory", NULL);
    assert_false(f->err.changed);   /* nothing to change this time */
}

static void converge_refusals_change_nothing(void **state)
{
    fixture_t *f = *state;
    char *before, *after;

    pt_test_write(f->fake.root, "/etc/sysctl.d/99-late.conf", FIN " = 60\n");
    before = pt_test_snapshot(f->fake.root);
    pt_test_assert_error(run(f, "{\"fin_timeout\": 30, \"conflicts\": \"fail\"}"), &f->err,
                         PT_ECONFLICT, "fin_timeout", "conflicts=fail", NULL);
    pt_test_assert_error(run(f, "{\"port_range\": \"1000-2001\", \"fin_timeout\": 30}"), &f->err,
                         PT_EINVAL, "port_range", "ip_unprivileged_port_start (1024)", NULL);
    after = pt_test_snapshot(f->fake.root);
    assert_string_equal(after, before);
    free(after);
    pt_fake_remove_live(&f->fake, "net.ipv4.tcp_tw_reuse_delay");   /* kernel < 6.13 */
    free(before);
    before = pt_test_snapshot(f->fake.root);
    pt_test_assert_error(run(f, "{\"fin_timeout\": 30, \"tw_reuse_delay\": 500}"), &f->err,
                         PT_ENOTSUP, "tw_reuse_delay", "appeared in Linux 6.13", NULL);
    after = pt_test_snapshot(f->fake.root);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void converge_bad_host_values_fail_clearly(void **state)
{
    fixture_t *f = *state;
    char proc[PATH_MAX];

    pt_test_join(proc, sizeof(proc), f->fake.root, "/proc/sys/net/ipv4/tcp_fin_timeout");
    pt_fake_set_live(&f->fake, FIN, "garbage\n");
    pt_test_assert_error(run(f, "{\"fin_timeout\": 30, \"tw_reuse\": 1}"), &f->err, PT_EINVAL,
                         proc, "'garbage\n' is not a whole number", "Nothing was changed.", NULL);
    assert_live(f, REUSE, "2\n");
    /* A run reads only the live values it uses: a key it was not given
     * (nor the port range and reserved ports, which the capacity report
     * needs) is left unread and cannot fail it. */
    run_ok(f, "{\"tw_reuse\": 2, \"persist\": false}");
    pt_fake_set_live(&f->fake, FIN, "60\n");
    {
        char full[PATH_MAX];
        FILE *b;
        pt_test_join(full, sizeof(full), f->fake.root, OURS);
        b = fopen(full, "wb");
        assert_non_null(b);
        assert_int_equal(fwrite("a = 1\n\0", 1, 7, b), 7);
        assert_int_equal(fclose(b), 0);
    }
    pt_test_assert_error(run(f, "{\"tw_reuse\": 1}"), &f->err, PT_EINVAL, OURS,
                         "holds NUL bytes", "Nothing was changed.", NULL);
    assert_live(f, REUSE, "2\n");
}

static void converge_reports_conflicts_and_boot_values(void **state)
{
    fixture_t *f = *state;
    json_t *c, *s;

    pt_test_write(f->fake.root, "/etc/sysctl.d/99-late.conf", "# x\n" FIN " = 60\n");
    run_ok(f, "{\"fin_timeout\": 30, \"tw_reuse\": 1}");
    c = json_object_get(f->result, "conflicts");
    assert_int_equal(json_array_size(c), 1);
    c = json_array_get(c, 0);
    assert_string_equal(json_string_value(json_object_get(c, "key")), "fin_timeout");
    assert_string_equal(json_string_value(json_object_get(c, "file")), "/etc/sysctl.d/99-late.conf");
    assert_int_equal(json_integer_value(json_object_get(c, "line")), 2);
    assert_string_equal(json_string_value(json_object_get(c, "value")), "60");
    assert_true(has_warning(f, "/etc/sysctl.d/99-late.conf:2 sets " FIN " = 60"));
    s = setting(f, "fin_timeout");
    assert_int_equal(json_integer_value(json_object_get(s, "boot")), 60);
    assert_string_equal(json_string_value(json_object_get(s, "boot_source")), "/etc/sysctl.d/99-late.conf:2");
    s = setting(f, "tw_reuse");
    assert_int_equal(json_integer_value(json_object_get(s, "boot")), 1);
    assert_string_equal(json_string_value(json_object_get(s, "boot_source")), OURS);
    assert_string_equal(json_string_value(json_object_get(f->result, "sysctl_file")), OURS);
}

static void converge_reports_capacity(void **state)
{
    fixture_t *f = *state;
    json_t *cap;
    long long usable;

    run_ok(f, "{\"port_range\": \"1024-65535\", \"reserved_ports\": \"8080-8081,9000-9100,80\"}");
    cap = json_object_get(f->result, "capacity");
    usable = 65535 - 1024 + 1 - (2 + 101);              /* port 80 lies outside the range */
    assert_string_equal(json_string_value(json_object_get(cap, "port_range")), "1024-65535");
    assert_int_equal(json_integer_value(json_object_get(cap, "range_size")), 65535 - 1024 + 1);
    assert_int_equal(json_integer_value(json_object_get(cap, "reserved_in_range")), 103);
    assert_int_equal(json_integer_value(json_object_get(cap, "usable_ports")), usable);
    assert_int_equal(json_integer_value(json_object_get(cap, "time_wait_seconds")), 60);
    /* 64409 / 60 = 1073.4833..., rounded down to hundredths (core/capacity.c). */
    assert_true(json_real_value(json_object_get(cap, "max_new_connections_per_second")) == 1073.48);
    assert_true(has_warning(f, "1 of 104 ports lie outside the port range 1024-65535"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(converge_first_run_changes_second_run_does_not),
        T(converge_check_mode_writes_nothing),
        T(converge_diff_shows_live_and_file_text),
        T(converge_backup_keeps_old_copy),
        T(converge_absent_restores_originals_and_removes_file),
        T(converge_absent_keeps_other_lines_of_a_shared_file),
        T(converge_live_drift_fixed_file_untouched),
        T(converge_file_drift_fixed_live_untouched),
        T(converge_apply_false_persists_only),
        T(converge_live_write_failure_rolls_back_and_leaves_file),
        T(converge_persist_failure_rolls_back_live),
        T(converge_refusals_change_nothing),
        T(converge_dir_sync_failure_keeps_the_change),
        T(converge_result_oom_after_changes_says_changed),
        T(converge_bad_host_values_fail_clearly),
        T(converge_reports_conflicts_and_boot_values),
        T(converge_reports_capacity),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
