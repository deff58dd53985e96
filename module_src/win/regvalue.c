/* SPDX-License-Identifier: MIT */
/* What a registry value read means: the OS default when absent, a note when
 * Windows would not use it as is; no Windows headers. */
#include "internal.h"

bool pt__reg_default(pt_key_t k, unsigned major, unsigned minor, long long *out)
{
    if (k == PT_K_TIME_WAIT_DELAY) {
        *out = (major < 5 || (major == 5 && minor < 2)) ? 240 : 120;
        return true;
    }
    if (k == PT_K_MAX_USER_PORT && major < 6) {
        *out = 5000;
        return true;
    }
    return false;
}

int pt__reg_interpret(pt_key_t k, pt_reg_kind_t kind, unsigned long dword,
                      const char *type_name, unsigned major, unsigned minor,
                      bool note, pt_keystate_t *ks, pt_strlist_t *notes)
{
    const pt_keyinfo_t *ki = &pt_keys[k];
    long long def = 0;
    bool has_def = pt__reg_default(k, major, minor, &def);

    ks->supported = true;
    ks->live.type = PT_T_INT;
    switch (kind) {
    case PT_REG_DWORD:
        ks->live.num = (long long)dword;
        ks->live_set = true;
        if (note && ((long long)dword < ki->min || (long long)dword > ki->max))
            return pt_strlist_add(notes,
                "%s is %lu in the registry, outside the range Windows documents "
                "(%lld-%lld); set %s to replace it.", ki->regvalue, dword,
                ki->min, ki->max, ki->option);
        return 0;
    case PT_REG_ABSENT:
        /* Absent is Windows' default, not drift: asking for the default
         * changes nothing. */
        if (has_def) {
            ks->live.num = def;
            ks->live_set = true;
            ks->live_default = true;
        }
        return 0;
    case PT_REG_OTHER:
        /* Unknown live value: a requested value always rewrites it. */
        if (!note)
            return 0;
        if (has_def)
            return pt_strlist_add(notes,
                "%s in the registry is a %s, not a REG_DWORD; Windows ignores it "
                "and uses its default (%lld); set %s to replace it.", ki->regvalue,
                type_name ? type_name : "value of another type", def, ki->option);
        return pt_strlist_add(notes,
            "%s in the registry is a %s, not a REG_DWORD; Windows ignores it; "
            "set %s to replace it.", ki->regvalue,
            type_name ? type_name : "value of another type", ki->option);
    }
    return 0;
}
