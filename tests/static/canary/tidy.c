/* SPDX-License-Identifier: MIT */
/* A known defect clang-tidy must report (clang-analyzer-core.uninitialized.
 * UndefReturn): tests/static/run.sh fails when it does not, so a clang-tidy
 * that runs but analyses nothing cannot pass the gate. Never compiled. */
int pt_canary(int n);

int pt_canary(int n)
{
    int x;

    if (n > 0)
        x = n;
    return x;
}
