/* SPDX-License-Identifier: MIT */
/* Unit tests of the boot-order scan the backend runs (pt__scan_boot_known) over a fake tree. */
#include "helpers.h"
#include "linux/internal.h"

#include <sys/stat.h>

typedef struct fixture {
    pt_fake_t fake;
    pt_options_t opts;
    pt_current_t cur;
    pt_error_t err;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    pt_fake_init(&f->fake);
    pt_options_init(&f->opts);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    pt_current_free(&f->cur);
    pt_options_free(&f->opts);
    pt_fake_free(&f->fake);
    free(f);
    return 0;
}

/* Scans the fake tree for options json the way pt_backend_read does: our
 * file's fstat and bytes first (when it exists), every key supported. */
static void scan(fixture_t *f, const char *json)
{
    struct stat st;
    bool exists;
    int k;

    pt_current_free(&f->cur);
    pt_options_free(&f->opts);
    if (pt_test_options(json, &f->opts, &f->err) != 0)
        fail_msg("%s: %s", json, f->err.msg);
    f->cur.os = PT_OS_LINUX;
    for (k = 0; k < PT_K__COUNT; k++)
        f->cur.key[k].supported = pt_keys[k].linux_key;
    exists = pt_test_exists(f->fake.root, f->opts.sysctl_file);
    if (exists) {
        pt_test_stat(f->fake.root, f->opts.sysctl_file, &st);
        f->cur.file_text = pt_test_read(f->fake.root, f->opts.sysctl_file);
    }
    assert_int_equal(pt__scan_boot_known(&f->fake.ctx, &f->opts, &f->cur, exists ? &st : NULL,
                                         &f->err), 0);
}

static void put(fixture_t *f, const char *rel, const char *text)
{
    pt_test_write(f->fake.root, rel, text);
}

static size_t count(const fixture_t *f, pt_key_t k)
{
    size_t i, n = 0;

    for (i = 0; i < f->cur.nconflicts; i++)
        n += f->cur.conflicts[i].key == k;
    return n;
}

/* The winning conflict line of key k must be file:line with value. */
static void assert_winner(const fixture_t *f, pt_key_t k, const char *file, unsigned line,
                          const char *value)
{
    size_t i;
    const pt_conflict_t *w = NULL;

    for (i = 0; i < f->cur.nconflicts; i++)
        if (f->cur.conflicts[i].key == k && f->cur.conflicts[i].wins) {
            if (w != NULL)
                fail_msg("two winners for %s", pt_keys[k].option);
            w = &f->cur.conflicts[i];
        }
    if (w == NULL)
        fail_msg("no winning line for %s (expected %s:%u)", pt_keys[k].option, file, line);
    assert_string_equal(w->file, file);
    assert_int_equal(w->line, line);
    assert_string_equal(w->value, value);
}

static void scan_later_name_overrides_ours(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/10-early.conf", "net.ipv4.tcp_fin_timeout = 10\n");
    put(f, "/usr/lib/sysctl.d/50-default.conf", "net.ipv4.tcp_fin_timeout=50\n");
    put(f, "/etc/sysctl.d/70-late.conf", "# later\nnet.ipv4.tcp_fin_timeout = 70\n");
    scan(f, "{}");
    assert_true(f->cur.file_at_boot);
    assert_null(f->cur.file_masked_by);
    assert_int_equal(f->cur.nconflicts, 1);     /* 10- and 50- come before ours */
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/70-late.conf", 2, "70");
    assert_true(f->cur.key[PT_K_FIN_TIMEOUT].boot_set);
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 70);
    assert_string_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot_source, "/etc/sysctl.d/70-late.conf:2");
}

static void scan_names_sort_across_directories(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/80-b.conf", "net.ipv4.tcp_fin_timeout = 2\n");
    put(f, "/usr/lib/sysctl.d/90-z.conf", "net.ipv4.tcp_fin_timeout = 3\n");
    put(f, "/run/sysctl.d/70-a.conf", "net.ipv4.tcp_fin_timeout = 1\n");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 1);
    /* by name, not by directory: /usr/lib's 90-z is applied last */
    assert_winner(f, PT_K_FIN_TIMEOUT, "/usr/lib/sysctl.d/90-z.conf", 1, "3");
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 3);
}

static void scan_etc_masks_later_directories_by_name(void **state)
{
    fixture_t *f = *state;

    put(f, "/usr/lib/sysctl.d/70-x.conf", "net.ipv4.tcp_fin_timeout = 70\n");
    put(f, "/run/sysctl.d/70-x.conf", "net.ipv4.tcp_tw_reuse = 0\n");
    put(f, "/etc/sysctl.d/70-x.conf", "vm.swappiness = 1\n");
    put(f, "/usr/lib/sysctl.d/71-y.conf", "net.ipv4.tcp_max_tw_buckets = 7\n");
    put(f, "/run/sysctl.d/71-y.conf", "net.ipv4.tcp_max_tw_buckets = 8\n");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 0);
    assert_int_equal(count(f, PT_K_TW_REUSE), 0);
    assert_false(f->cur.key[PT_K_FIN_TIMEOUT].boot_set);
    /* /run masks /usr/lib too */
    assert_int_equal(count(f, PT_K_MAX_TW_BUCKETS), 1);
    assert_winner(f, PT_K_MAX_TW_BUCKETS, "/run/sysctl.d/71-y.conf", 1, "8");
}

static void scan_reads_every_boot_directory(void **state)
{
    fixture_t *f = *state;

    put(f, "/run/sysctl.d/80-a.conf", "net.ipv4.tcp_tw_reuse = 0\n");
    put(f, "/usr/local/lib/sysctl.d/81-b.conf", "net.ipv4.ip_local_port_range = 2000 3001\n");
    put(f, "/lib/sysctl.d/82-c.conf", "net.ipv4.ip_local_reserved_ports = 8080\n");
    scan(f, "{}");
    assert_int_equal(f->cur.nconflicts, 3);
    assert_winner(f, PT_K_TW_REUSE, "/run/sysctl.d/80-a.conf", 1, "0");
    assert_winner(f, PT_K_PORT_RANGE, "/usr/local/lib/sysctl.d/81-b.conf", 1, "2000 3001");
    assert_winner(f, PT_K_RESERVED_PORTS, "/lib/sysctl.d/82-c.conf", 1, "8080");
}

static void scan_duplicates_in_one_file_last_line_wins(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/70-a.conf",
        "net.ipv4.tcp_fin_timeout = 1\n-net/ipv4/tcp_fin_timeout=2\nkernel.x = 1\n");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 1);
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/70-a.conf", 2, "2");
}

/* systemd-sysctl reads /etc/sysctl.conf only through a link in sysctl.d. */
static void scan_sysctl_conf_without_link_is_not_read(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.conf", "net.ipv4.tcp_fin_timeout = 3\n");
    put(f, "/etc/sysctl.d/99-zzz.conf", "net.ipv4.tcp_fin_timeout = 2\n");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 1);
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-zzz.conf", 1, "2");
    put(f, "/etc/sysctl.d/99-zzz.conf", "\n");
    scan(f, "{}");
    assert_int_equal(f->cur.nconflicts, 0);
    assert_false(f->cur.key[PT_K_FIN_TIMEOUT].boot_set);
}

static void scan_sysctl_conf_symlink_not_counted_twice(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.conf", "# debian\nnet.ipv4.tcp_fin_timeout = 3\n");
    pt_test_symlink(f->fake.root, "/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 1);
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-sysctl.conf", 2, "3");
    /* read where the link sorts: a later name still overrides it */
    put(f, "/etc/sysctl.d/99-zzz.conf", "net.ipv4.tcp_fin_timeout = 4\n");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 1);
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-zzz.conf", 1, "4");
}

static void scan_our_own_lines_are_not_conflicts(void **state)
{
    fixture_t *f = *state;

    put(f, PT_DEFAULT_SYSCTL_FILE, "# Managed by porttune\nnet.ipv4.tcp_fin_timeout = 30\n");
    put(f, "/usr/lib/sysctl.d/60-porttune.conf", "net.ipv4.tcp_fin_timeout = 1\n");  /* masked by ours */
    scan(f, "{}");
    assert_true(f->cur.file_at_boot);
    assert_null(f->cur.file_masked_by);
    assert_int_equal(f->cur.nconflicts, 0);
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 30);
    assert_string_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot_source, PT_DEFAULT_SYSCTL_FILE ":2");
}

static void scan_our_file_masked_by_earlier_directory(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/60-porttune.conf", "net.ipv4.tcp_fin_timeout = 5\n");
    put(f, "/etc/sysctl.d/10-early.conf", "net.ipv4.tcp_tw_reuse = 0\n");
    scan(f, "{\"sysctl_file\": \"/usr/lib/sysctl.d/60-porttune.conf\"}");
    assert_false(f->cur.file_at_boot);
    assert_non_null(f->cur.file_masked_by);
    assert_string_equal(f->cur.file_masked_by, "/etc/sysctl.d/60-porttune.conf");
    /* ours is never read, so every line that sets a key overrides it */
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/60-porttune.conf", 1, "5");
    assert_winner(f, PT_K_TW_REUSE, "/etc/sysctl.d/10-early.conf", 1, "0");
}

static void scan_our_file_outside_boot_directories(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/10-early.conf", "net.ipv4.tcp_fin_timeout = 10\n");
    put(f, "/opt/porttune/porttune.conf", "net.ipv4.tcp_fin_timeout = 30\n");
    scan(f, "{\"sysctl_file\": \"/opt/porttune/porttune.conf\"}");
    assert_false(f->cur.file_at_boot);
    assert_null(f->cur.file_masked_by);
    assert_int_equal(f->cur.nconflicts, 1);
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/10-early.conf", 1, "10");
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 10);
}

static void scan_our_file_without_conf_suffix_is_not_read(void **state)
{
    fixture_t *f = *state;

    scan(f, "{\"sysctl_file\": \"/etc/sysctl.d/60-porttune.cfg\"}");
    assert_false(f->cur.file_at_boot);
    scan(f, "{\"sysctl_file\": \"/etc/sysctl.d/60-porttune.conf\"}");   /* not written yet: still read */
    assert_true(f->cur.file_at_boot);
}

static void scan_our_file_is_sysctl_conf(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.conf", "net.ipv4.tcp_fin_timeout = 30\n");
    put(f, "/etc/sysctl.d/99-zzz.conf", "net.ipv4.tcp_fin_timeout = 2\n");
    scan(f, "{\"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_false(f->cur.file_at_boot);             /* no link: never read */
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-zzz.conf", 1, "2");
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 2);
    /* linked as 99-sysctl.conf: systemd-sysctl reads it there, before 99-zzz */
    pt_test_symlink(f->fake.root, "/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
    scan(f, "{\"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_true(f->cur.file_at_boot);
    assert_int_equal(f->cur.nconflicts, 1);
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/99-zzz.conf", 1, "2");
}

static void scan_ignores_other_names(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/70-x.conf.bak", "net.ipv4.tcp_fin_timeout = 1\n");
    put(f, "/etc/sysctl.d/.70-hidden.conf", "net.ipv4.tcp_fin_timeout = 2\n");
    put(f, "/etc/sysctl.d/README", "net.ipv4.tcp_fin_timeout = 3\n");
    put(f, "/etc/sysctl.d/60-porttune.conf.123.2026-01-01@00:00:00~", "net.ipv4.tcp_fin_timeout = 4\n");
    put(f, "/etc/sysctl.d/.60-porttune.conf.porttune-AbCdEf", "net.ipv4.tcp_fin_timeout = 5\n");
    put(f, "/etc/sysctl.d/.conf", "net.ipv4.tcp_fin_timeout = 6\n");
    put(f, "/etc/sysctl.d/80-dir.conf/inner.conf", "net.ipv4.tcp_fin_timeout = 7\n");
    scan(f, "{}");
    assert_int_equal(f->cur.nconflicts, 0);
    assert_false(f->cur.key[PT_K_FIN_TIMEOUT].boot_set);
}

static void scan_unparsable_value_still_overrides(void **state)
{
    fixture_t *f = *state;

    put(f, "/etc/sysctl.d/70-a.conf", "net.ipv4.ip_local_port_range = 1024-65535\n");
    scan(f, "{}");
    assert_winner(f, PT_K_PORT_RANGE, "/etc/sysctl.d/70-a.conf", 1, "1024-65535");
    assert_true(f->cur.conflicts[0].refused);             /* the kernel refuses it */
    assert_false(f->cur.key[PT_K_PORT_RANGE].boot_set);   /* left at the default */
}

static void scan_glob_after_ours_does_not_override(void **state)
{
    fixture_t *f = *state;

    /* sysctl.d(5): keys with an explicit assignment are excluded from glob
     * matching, and our file assigns explicitly. */
    put(f, "/etc/sysctl.d/70-a.conf", "net.ipv4.tcp_* = 5\n");
    scan(f, "{}");
    assert_int_equal(count(f, PT_K_FIN_TIMEOUT), 0);
    assert_int_equal(count(f, PT_K_TW_REUSE), 0);
    /* ...but when our file is not read at boot, the glob decides */
    scan(f, "{\"sysctl_file\": \"/opt/p.conf\"}");
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/70-a.conf", 1, "5");
}


/* A glob never overrides an explicit assignment, before or after it. */
static void scan_glob_never_overrides_explicit(void **state)
{
    fixture_t *f = *state;

    put(f, PT_DEFAULT_SYSCTL_FILE, "net.ipv4.tcp_fin_timeout = 30\n");
    put(f, "/usr/lib/sysctl.d/90-vendor.conf", "net.ipv4.tcp_fin_* = 45\n");
    put(f, "/etc/sysctl.d/10-early.conf", "net.ipv4.tcp_fin_t* = 50\n");
    scan(f, "{}");
    assert_int_equal(f->cur.nconflicts, 0);
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 30);
    assert_string_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot_source, PT_DEFAULT_SYSCTL_FILE ":1");
}

/* "-KEY" in a later file drops ours: the key is not written at boot. */
static void scan_dash_key_removes_ours(void **state)
{
    fixture_t *f = *state;

    put(f, PT_DEFAULT_SYSCTL_FILE, "net.ipv4.tcp_fin_timeout = 30\n");
    put(f, "/etc/sysctl.d/90-late.conf", "net.ipv4.tcp_fin_* = 45\n-net.ipv4.tcp_fin_timeout\n");
    scan(f, "{}");
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/90-late.conf", 2, "");
    assert_true(f->cur.conflicts[0].unset);
    assert_false(f->cur.key[PT_K_FIN_TIMEOUT].boot_set);   /* not even the glob's 45 */
    /* "-KEY = V" only ignores a failed write */
    put(f, "/etc/sysctl.d/90-late.conf", "-net.ipv4.tcp_fin_timeout = 44\n");
    scan(f, "{}");
    assert_false(f->cur.conflicts[0].unset);
    assert_int_equal(f->cur.key[PT_K_FIN_TIMEOUT].boot.num, 44);
}

/* Key spellings systemd-sysctl normalises; a NUL byte ends a line only. */
static void scan_spellings_and_nul_bytes(void **state)
{
    fixture_t *f = *state;
    char path[PATH_MAX * 2];
    FILE *fp;

    put(f, "/etc/sysctl.d/70-a.conf", "/net/ipv4/tcp_fin_timeout = 45\nnet..ipv4.tcp_tw_reuse. = 0\n"
        "net.ipv4*fin_timeout = 7\n");
    snprintf(path, sizeof(path), "%s/etc/sysctl.d/80-nul.conf", f->fake.root);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite("x = 1\0net.ipv4.tcp_max_tw_buckets = 0x1388\n", 1, 43, fp);
    fclose(fp);
    scan(f, "{}");
    assert_winner(f, PT_K_FIN_TIMEOUT, "/etc/sysctl.d/70-a.conf", 1, "45");
    assert_winner(f, PT_K_TW_REUSE, "/etc/sysctl.d/70-a.conf", 2, "0");
    assert_winner(f, PT_K_MAX_TW_BUCKETS, "/etc/sysctl.d/80-nul.conf", 2, "0x1388");
    assert_int_equal(f->cur.key[PT_K_MAX_TW_BUCKETS].boot.num, 5000);
    assert_int_equal(f->cur.nconflicts, 3);   /* the glob across segments matches nothing */
}

/* Before porttune writes its file, a same-name file in a later directory is
 * read at boot; afterwards ours masks it: no conflict either way. */
static void scan_same_name_later_directory_before_ours_exists(void **state)
{
    fixture_t *f = *state;

    put(f, "/run/sysctl.d/60-porttune.conf", "net.ipv4.tcp_tw_reuse = 0\n");
    scan(f, "{}");
    assert_true(f->cur.file_at_boot);
    assert_int_equal(f->cur.nconflicts, 0);
    assert_int_equal(f->cur.key[PT_K_TW_REUSE].boot.num, 0);
    put(f, PT_DEFAULT_SYSCTL_FILE, "net.ipv4.tcp_fin_timeout = 30\n");
    scan(f, "{}");
    assert_int_equal(f->cur.nconflicts, 0);
    assert_false(f->cur.key[PT_K_TW_REUSE].boot_set);
}

/* sysctl_file /etc/sysctl.conf, not written yet, behind Debian's link. */
static void scan_sysctl_conf_link_before_it_exists(void **state)
{
    fixture_t *f = *state;

    pt_test_symlink(f->fake.root, "/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
    scan(f, "{\"sysctl_file\": \"/etc/sysctl.conf\"}");
    assert_true(f->cur.file_at_boot);
}

/* A host without systemd-sysctl gets a note: the model may not apply. */
static void scan_notes_a_host_without_systemd_sysctl(void **state)
{
    fixture_t *f = *state;

    scan(f, "{}");
    assert_int_equal(f->cur.notes.n, 1);
    assert_non_null(strstr(f->cur.notes.items[0], "no systemd-sysctl"));
    put(f, "/usr/lib/systemd/systemd-sysctl", "#!\n");
    scan(f, "{}");
    assert_int_equal(f->cur.notes.n, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(scan_later_name_overrides_ours),
        T(scan_names_sort_across_directories),
        T(scan_etc_masks_later_directories_by_name),
        T(scan_reads_every_boot_directory),
        T(scan_duplicates_in_one_file_last_line_wins),
        T(scan_sysctl_conf_without_link_is_not_read),
        T(scan_sysctl_conf_symlink_not_counted_twice),
        T(scan_our_own_lines_are_not_conflicts),
        T(scan_our_file_masked_by_earlier_directory),
        T(scan_our_file_outside_boot_directories),
        T(scan_our_file_without_conf_suffix_is_not_read),
        T(scan_our_file_is_sysctl_conf),
        T(scan_ignores_other_names),
        T(scan_unparsable_value_still_overrides),
        T(scan_glob_after_ours_does_not_override),
        T(scan_glob_never_overrides_explicit),
        T(scan_dash_key_removes_ours),
        T(scan_spellings_and_nul_bytes),
        T(scan_same_name_later_directory_before_ours_exists),
        T(scan_sysctl_conf_link_before_it_exists),
        T(scan_notes_a_host_without_systemd_sysctl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
