/* SPDX-License-Identifier: MIT */
/* porttune: types, error codes and the backend contract shared by all parts. */
#ifndef PORTTUNE_H
#define PORTTUNE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The release version comes from the top-level VERSION file, the one place it
 * is written: every compile rule passes -DPT_VERSION (see CSTD in the
 * Makefile), and a build that forgets it stops here rather than report a
 * version nobody released. */
#ifndef PT_VERSION
#error "PT_VERSION is not defined: build with make, which passes -DPT_VERSION from the VERSION file"
#endif

/* printf-style format checks. mingw-w64's GCC reads "printf" as the MSVC
 * runtime's dialect (no %zu); the build uses mingw's C99 printf instead
 * (__USE_MINGW_ANSI_STDIO, on with _GNU_SOURCE), which gnu_printf describes. */
#if defined(__MINGW32__)
#define PT_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define PT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PT_PRINTF(fmt, args)
#endif

/* Error codes: negative, like libuv. */
enum {
    PT_OK = 0,
    PT_EINVAL = -1,   /* a value the user gave is wrong */
    PT_ENOMEM = -2,
    PT_EIO = -3,      /* the OS refused a read or write */
    PT_ENOTSUP = -4,  /* the knob does not exist on this host */
    PT_ECONFLICT = -5,/* conflicts: fail and another file overrides us */
    PT_EUNSAFE = -6   /* a path is a symlink or writable by others */
};

/* The first error wins; later pt_error_set calls are ignored. */
typedef struct pt_error {
    int code;
    int os_code;          /* errno or GetLastError(); 0 if none */
    char object[256];     /* option, key, path or registry value */
    char msg[1024];       /* a complete sentence for the user */
    /* The run failed but left a change in place: putting it back failed,
     * or the file was already replaced (a failed sync of its directory). */
    bool changed;
} pt_error_t;

void pt_error_init(pt_error_t *err);
/* Records the error if none is recorded yet; returns code. */
int pt_error_set(pt_error_t *err, int code, int os_code, const char *object,
                 const char *fmt, ...) PT_PRINTF(5, 6);

/* Settings porttune manages. Order is the output and file order. */
typedef enum pt_key {
    PT_K_PORT_RANGE = 0,
    PT_K_RESERVED_PORTS,
    PT_K_FIN_TIMEOUT,
    PT_K_TW_REUSE,
    PT_K_TW_REUSE_DELAY,
    PT_K_MAX_TW_BUCKETS,
    PT_K_TIME_WAIT_DELAY,
    PT_K_MAX_USER_PORT,
    PT_K__COUNT
} pt_key_t;

typedef enum pt_type { PT_T_INT, PT_T_RANGE, PT_T_PORTSET } pt_type_t;

typedef struct pt_range {
    uint32_t lo, hi;          /* inclusive */
} pt_range_t;

/* A value in canonical form: ints as numbers, a range as two numbers,
 * a port set as sorted, merged, non-adjacent ranges (the kernel's form). */
typedef struct pt_value {
    pt_type_t type;
    long long num;            /* PT_T_INT */
    pt_range_t range;         /* PT_T_RANGE */
    pt_range_t *set;          /* PT_T_PORTSET, owned; NULL when empty */
    size_t nset;
} pt_value_t;

typedef struct pt_keyinfo {
    pt_key_t key;
    const char *option;       /* Ansible option name */
    const char *sysctl;       /* dotted sysctl name, NULL if not Linux */
    const char *regvalue;     /* Windows registry value, NULL if none */
    pt_type_t type;
    long long min, max;       /* allowed range for ints / ports */
    bool linux_key, windows_key;
} pt_keyinfo_t;

extern const pt_keyinfo_t pt_keys[PT_K__COUNT];
const pt_keyinfo_t *pt_key_by_option(const char *option);
const pt_keyinfo_t *pt_key_by_sysctl(const char *name);

typedef enum pt_conflicts_mode { PT_CONFLICTS_WARN, PT_CONFLICTS_FAIL, PT_CONFLICTS_IGNORE } pt_conflicts_mode_t;
typedef enum pt_state { PT_STATE_PRESENT, PT_STATE_ABSENT } pt_state_t;
typedef enum pt_os { PT_OS_LINUX, PT_OS_WINDOWS } pt_os_t;

/* A growable list of owned strings; lost is set when an add ran out of
 * memory, so that a result never goes out without a warning it should hold. */
typedef struct pt_strlist {
    char **items;
    size_t n, cap;
    bool lost;
} pt_strlist_t;

int pt_strlist_add(pt_strlist_t *l, const char *fmt, ...) PT_PRINTF(2, 3);
void pt_strlist_free(pt_strlist_t *l);
/* A newly allocated formatted string (free it), or NULL on ENOMEM. */
char *pt_strdup_printf(const char *fmt, ...) PT_PRINTF(1, 2);
char *pt_vstrdup_printf(const char *fmt, va_list ap) PT_PRINTF(1, 0);

/* What the user asked for, typed and validated. */
typedef struct pt_options {
    bool has[PT_K__COUNT];
    pt_value_t want[PT_K__COUNT];
    bool apply, persist, backup;
    bool check_mode, diff;
    pt_state_t state;
    pt_conflicts_mode_t conflicts;
    char *sysctl_file;        /* owned */
    char *state_file;         /* owned; where original live values are kept */
    pt_strlist_t warnings;
} pt_options_t;

#define PT_DEFAULT_SYSCTL_FILE "/etc/sysctl.d/60-porttune.conf"
#define PT_DEFAULT_STATE_FILE "/var/lib/porttune/state.json"

/* The line of another file that decides one of our keys at boot: the last
 * assignment after our file in systemd-sysctl's order (any file when ours is
 * not read at boot). The plan decides whether it conflicts. */
typedef struct pt_conflict {
    pt_key_t key;
    char *file;               /* owned */
    unsigned line;
    char *value;              /* owned, as written ("" for "-KEY") */
    bool wins;                /* this line decides the value at boot */
    bool unset;               /* "-KEY": the key is not written at boot */
    bool refused;             /* the kernel refuses value: the key keeps its default */
    pt_value_t effect;        /* the key's value after the line (neither of the above) */
} pt_conflict_t;

/* What the host has now, per key and overall. */
typedef struct pt_keystate {
    bool supported;           /* the knob exists on this host */
    bool live_set;            /* live value was read */
    pt_value_t live;
    bool persisted_set;       /* our file has the key */
    pt_value_t persisted;
    bool boot_set;            /* some file sets it at boot */
    pt_value_t boot;
    char *boot_source;        /* owned "file:line" of the winning line */
    bool original_set;        /* the state file recorded the pre-porttune value */
    pt_value_t original;
    bool live_default;        /* nothing set (absent registry value): live is the OS default */
} pt_keystate_t;

struct pt_conf;

typedef struct pt_current {
    pt_os_t os;
    pt_keystate_t key[PT_K__COUNT];
    unsigned unpriv_port_start;   /* lowest port the range may start at */
    struct pt_conf *file;         /* parsed sysctl_file (Linux), owned */
    char *file_text;              /* its bytes as read, owned; NULL if absent */
    bool file_exists;
    bool file_at_boot;            /* systemd-sysctl will read sysctl_file */
    char *file_masked_by;         /* owned: same name in an earlier directory */
    pt_conflict_t *conflicts;     /* owned */
    size_t nconflicts;
    bool windows_pre_vista;
    unsigned windows_major, windows_minor;  /* as RtlGetVersion reports it */
    pt_strlist_t notes;           /* backend's remarks on what it read; become warnings */
    /* Set by the caller before pt_backend_read: the recorded originals are
     * not needed (pt_converge with state=present: the plan uses them only
     * for absent, and pt_backend_remember reads the record itself), so a
     * backend may leave them unread. */
    bool skip_originals;
    /* Also set by the caller: bit 1 << k for each key whose live value it
     * will not look at, and PT_SKIP_UNPRIV when it will not check a port
     * range against ip_unprivileged_port_start; a backend may leave those
     * unread (each /proc/sys read costs about 5 us). 0: read everything. */
    unsigned skip_live;
} pt_current_t;

#define PT_SKIP_UNPRIV (1u << PT_K__COUNT)

/* What to do, per key. */
typedef struct pt_change {
    bool live;                /* write the live value */
    bool persist;             /* add, update or remove in the file */
    bool remove;              /* state=absent: drop from the file */
    bool restore;             /* state=absent: live value goes back to original */
    bool forget;              /* state=absent: drop the recorded original (the live
                                 value is back at it, or goes back now) */
    pt_value_t target;        /* live value to write (borrowed) */
} pt_change_t;

typedef struct pt_plan {
    pt_change_t change[PT_K__COUNT];
    bool any_live, any_persist, any_forget;
    bool reboot_required;
    bool file_write;              /* replace sysctl_file with file_after */
    bool file_unlink;             /* state=absent emptied our own file */
    char *file_after;             /* owned text to write */
    bool conflict[PT_K__COUNT];   /* a later file overrides this key at boot */
    pt_value_t made[PT_K__COUNT]; /* owned targets the plan built itself */
} pt_plan_t;

/* Where a backend reads and writes. root prefixes every path ("" in
 * production, a temporary tree in tests); proc_sys is the live-value
 * directory below root (default "/proc/sys"). */
typedef struct pt_ctx {
    const char *root;
    const char *proc_sys;
} pt_ctx_t;

/* ---- values (core/value.c) ---- */
void pt_value_free(pt_value_t *v);
int pt_value_copy(pt_value_t *dst, const pt_value_t *src);
bool pt_value_equal(const pt_value_t *a, const pt_value_t *b);
/* Parses the kernel's / a sysctl file's text form for key (whitespace and
 * order tolerant). Returns 0 or PT_EINVAL with err naming `object`. */
int pt_value_parse_sysctl(pt_key_t key, const char *text, pt_value_t *out,
                          const char *object, pt_error_t *err);
/* Writes the sysctl text form ("1024 65535", "8080-8081,9000") into buf.
 * Returns 0, or PT_ENOMEM when buf is too small. */
int pt_value_format_sysctl(const pt_value_t *v, char *buf, size_t size);
/* The user-facing form ("1024-65535" for ranges). */
int pt_value_format_user(const pt_value_t *v, char *buf, size_t size);
/* Number of ports in set that lie within [lo, hi]. */
unsigned long pt_portset_count_in(const pt_value_t *set, uint32_t lo, uint32_t hi);

/* ---- the backend contract: one implementation per OS, chosen at build time ---- */
extern const pt_os_t pt_backend_os;
/* Reads live values, our file, boot-order conflicts and recorded originals for
 * every key this OS supports. cur is zeroed by the caller. */
int pt_backend_read(const pt_ctx_t *ctx, const pt_options_t *opts,
                    pt_current_t *cur, pt_error_t *err);
/* Writes the live values the plan asks for. All or nothing: on failure the
 * keys written in this call are put back, and err names the key and value. */
int pt_backend_apply(const pt_ctx_t *ctx, const pt_options_t *opts,
                     const pt_current_t *cur, const pt_plan_t *plan,
                     pt_error_t *err);
/* Writes or removes the persisted settings (atomic replace). *backup_path
 * receives an owned path when a backup copy was made. */
int pt_backend_persist(const pt_ctx_t *ctx, const pt_options_t *opts,
                       const pt_current_t *cur, const pt_plan_t *plan,
                       char **backup_path, pt_error_t *err);
/* After a successful run (or a present run that failed but left changes):
 * records the pre-porttune live values (cur) of keys this run changed
 * (present), or forgets the originals of keys that are back at them (absent:
 * plan change.forget). */
int pt_backend_remember(const pt_ctx_t *ctx, const pt_options_t *opts,
                        const pt_current_t *cur, const pt_plan_t *plan,
                        pt_error_t *err);
/* Serializes runs that change the host: takes an advisory lock, held until
 * pt_backend_unlock, before pt_backend_read so that read, plan and write see
 * no other run in between; first refuses an unsafe place for the persisted
 * file and removes temporary files an interrupted run left there. Returns the
 * number of such files removed (>= 0), or an error code with err set. *lock
 * may stay NULL (nothing to lock); pt_backend_unlock accepts NULL. */
typedef struct pt_lock pt_lock_t;
int pt_backend_lock(const pt_ctx_t *ctx, const pt_options_t *opts, pt_lock_t **lock,
                    pt_error_t *err);
void pt_backend_unlock(pt_lock_t *lock);
void pt_current_free(pt_current_t *cur);

/* ---- OS services for the front ends: one implementation per backend ---- */
/* Reads the whole file at utf8_path (UTF-8; Windows opens it with the wide
 * API) into an owned NUL-terminated buffer *text of *len bytes (len may be
 * NULL). Returns 0, or PT_EIO / PT_ENOMEM with err naming the path. */
int pt_os_read_file(const char *utf8_path, char **text, size_t *len, pt_error_t *err);
/* True when utf8_path names an existing file that is not a directory (the
 * front-end dispatcher's test for a bare word). */
bool pt_os_file_exists(const char *utf8_path);
/* Replaces the file at utf8_path with text atomically, as a collector reading
 * it expects: a temporary file in the same directory, flushed to disk, then
 * renamed over it; a new file gets mode 0644. Returns 0, or PT_EIO /
 * PT_EUNSAFE / PT_ENOMEM with err naming object; the old file stays then. */
int pt_os_write_file_atomic(const char *utf8_path, const char *text, const char *object,
                            pt_error_t *err);
/* The wall-clock time as Unix seconds with a fraction. */
double pt_os_time_now(void);

#endif
