/* SPDX-License-Identifier: MIT */
/* Registry plumbing of the Windows backend: values read and written whole,
 * and porttune's own record of original values under HKLM\SOFTWARE\porttune. */
#include "winsys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pt__reg_type_name(DWORD type)
{
    switch (type) {
    case REG_SZ: return "REG_SZ";
    case REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case REG_BINARY: return "REG_BINARY";
    case REG_DWORD: return "REG_DWORD of the wrong size";
    case REG_DWORD_BIG_ENDIAN: return "REG_DWORD_BIG_ENDIAN";
    case REG_MULTI_SZ: return "REG_MULTI_SZ";
    case REG_QWORD: return "REG_QWORD";
    default: return "value of another type";
    }
}

void pt__regraw_free(pt_regraw_t *r)
{
    free(r->data);
    memset(r, 0, sizeof(*r));
}

LONG pt__reg_get(const wchar_t *sub, const wchar_t *name, pt_regraw_t *r)
{
    HKEY h;
    DWORD size = 0, type = 0, got;
    LONG e;

    memset(r, 0, sizeof(*r));
    e = RegOpenKeyExW(HKEY_LOCAL_MACHINE, sub, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h);
    if (e == ERROR_FILE_NOT_FOUND)
        return ERROR_SUCCESS;
    if (e != ERROR_SUCCESS)
        return e;
    for (;;) {
        e = RegQueryValueExW(h, name, NULL, &type, NULL, &size);
        if (e != ERROR_SUCCESS)
            break;
        free(r->data);
        r->data = malloc(size ? size : 1);
        if (r->data == NULL) {
            e = ERROR_NOT_ENOUGH_MEMORY;
            break;
        }
        got = size;
        e = RegQueryValueExW(h, name, NULL, &type, r->data, &got);
        if (e == ERROR_MORE_DATA)
            continue;   /* it grew between the two calls */
        if (e == ERROR_SUCCESS) {
            r->present = true;
            r->type = type;
            r->size = got;
        }
        break;
    }
    RegCloseKey(h);
    if (e == ERROR_FILE_NOT_FOUND) {
        pt__regraw_free(r);
        return ERROR_SUCCESS;
    }
    if (e != ERROR_SUCCESS)
        pt__regraw_free(r);
    return e;
}

bool pt__regraw_dword(const pt_regraw_t *r, DWORD *out)
{
    if (!r->present || r->type != REG_DWORD || r->size != sizeof(DWORD))
        return false;
    memcpy(out, r->data, sizeof(DWORD));
    return true;
}

LONG pt__reg_put(const wchar_t *sub, const wchar_t *name, const pt_regraw_t *r)
{
    HKEY h;
    LONG e;

    e = RegCreateKeyExW(HKEY_LOCAL_MACHINE, sub, 0, NULL, 0,
                        KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &h, NULL);
    if (e != ERROR_SUCCESS)
        return e;
    if (r->present)
        e = RegSetValueExW(h, name, 0, r->type, r->data, r->size);
    else if ((e = RegDeleteValueW(h, name)) == ERROR_FILE_NOT_FOUND)
        e = ERROR_SUCCESS;
    RegCloseKey(h);
    return e;
}

int pt__reg_error(LONG e, const char *object, const char *what, pt_error_t *err)
{
    char msg[256];

    pt__win_strerror((DWORD)e, msg, sizeof(msg));
    return pt_error_set(err, PT_EIO, (int)e, object, "%s: %s: %s.%s", object, what, msg,
        e == ERROR_ACCESS_DENIED ? " Run the task as an administrator (become, or an "
        "account in the Administrators group with an elevated token)." : "");
}

char *pt__state_get(const wchar_t *name)
{
    pt_regraw_t r;
    wchar_t *w;
    char *u = NULL;

    if (pt__reg_get(PT_STATE_KEY, name, &r) != ERROR_SUCCESS || !r.present ||
        r.type != REG_SZ) {
        pt__regraw_free(&r);
        return NULL;
    }
    w = calloc(r.size / sizeof(wchar_t) + 1, sizeof(wchar_t));
    if (w != NULL) {
        memcpy(w, r.data, r.size);
        u = pt__wide_to_utf8(w);
    }
    free(w);
    pt__regraw_free(&r);
    return u;
}

LONG pt__state_set(const wchar_t *name, const char *text)
{
    wchar_t *w = pt__utf8_to_wide(text);
    pt_regraw_t r;
    LONG e;

    if (w == NULL)
        return ERROR_NOT_ENOUGH_MEMORY;
    r.present = true;
    r.type = REG_SZ;
    r.data = (BYTE *)w;
    r.size = (DWORD)((wcslen(w) + 1) * sizeof(wchar_t));
    e = pt__reg_put(PT_STATE_KEY, name, &r);
    free(w);
    return e;
}

void pt__state_forget(const wchar_t *name)
{
    HKEY h;
    DWORD nvalues = 1, nkeys = 1;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, PT_STATE_KEY, 0,
                      KEY_SET_VALUE | KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h) != ERROR_SUCCESS)
        return;
    RegDeleteValueW(h, name);
    RegQueryInfoKeyW(h, NULL, NULL, NULL, &nkeys, NULL, NULL, &nvalues, NULL, NULL, NULL, NULL);
    RegCloseKey(h);
    if (nvalues == 0 && nkeys == 0)
        RegDeleteKeyW(HKEY_LOCAL_MACHINE, PT_STATE_KEY);
}
