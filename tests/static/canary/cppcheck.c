/* SPDX-License-Identifier: MIT */
/* A known defect cppcheck must report (arrayIndexOutOfBounds):
 * tests/static/run.sh fails when it does not, so a cppcheck that runs but
 * analyses nothing cannot pass the gate. Never compiled. */
int pt_canary(void);

int pt_canary(void)
{
    int a[2] = { 0, 1 };

    return a[2];
}
