# SPDX-License-Identifier: MIT
"""Unit tests of the per-host binary choice in the porttune action plugin (machine names, facts, probe, refusal)."""

import importlib.util
import os
import tempfile
import unittest

from ansible.errors import AnsibleActionFail

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, "..", "..", "roles", "porttune", "action_plugins", "porttune.py")
spec = importlib.util.spec_from_file_location("porttune_action", PLUGIN)
pa = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pa)


class Mapping(unittest.TestCase):
    def test_each_machine_name(self):
        want = {"x86_64": "x86_64", "amd64": "x86_64", "AMD64": "x86_64",
                "aarch64": "aarch64", "arm64": "aarch64",
                "armv7l": "armv7", "armv8l": "armv7", "armhf": "armv7",
                "riscv64": "riscv64", "ppc64le": "ppc64le", "s390x": "s390x",
                " aarch64\n": "aarch64"}
        for machine, arch in want.items():
            self.assertEqual(pa.binary_arch(machine), arch, machine)

    def test_machines_without_a_binary(self):
        for machine in ("ppc64", "armv6l", "i686", "i386", "mips64", "loongarch64", "sparc64", "", None):
            self.assertIsNone(pa.binary_arch(machine), machine)

    def test_every_arch_is_reachable(self):
        self.assertEqual(set(pa._MACHINES.values()), set(pa.ARCHES))


class Facts(unittest.TestCase):
    def test_gathered_facts(self):
        self.assertEqual(pa.host_machine({"ansible_facts": {"architecture": "aarch64", "system": "Linux"}}),
                         ("Linux", "aarch64"))
        self.assertEqual(pa.host_machine({"ansible_architecture": "s390x", "ansible_system": "Linux"}),
                         ("Linux", "s390x"))

    def test_probe_fact(self):
        self.assertEqual(pa.host_machine({"ansible_facts": {pa.UNAME_FACT: "Linux riscv64"}}),
                         ("Linux", "riscv64"))

    def test_nothing_known(self):
        self.assertIsNone(pa.host_machine({}))
        self.assertIsNone(pa.host_machine({"ansible_facts": {}}))


class FakeAction(pa.ActionModule):
    """Only what _select_arch uses: the module path and the probe."""

    def __init__(self, base, uname=None):  # pylint: disable=super-init-not-called
        self.base, self.uname, self.probes = base, uname, 0

    def _find_module_path(self, module):
        return self.base

    def _low_level_execute_command(self, cmd, sudoable=True, in_data=None):
        self.probes += 1
        assert cmd == "uname -sm", cmd
        return {"rc": 0, "stdout": self.uname + "\n", "stderr": ""}


class Select(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.base = os.path.join(self.dir.name, "porttune")
        for name in ("porttune", "porttune-aarch64", "porttune-s390x"):
            open(os.path.join(self.dir.name, name), "wb").close()

    def tearDown(self):
        self.dir.cleanup()

    def test_facts_mean_no_probe(self):
        a = FakeAction(self.base)
        facts = a._select_arch("porttune", {"ansible_facts": {"architecture": "arm64", "system": "Linux"}})
        self.assertIsNone(facts)
        self.assertEqual(a.probes, 0)
        self.assertEqual(a._arch_path, os.path.join(self.dir.name, "porttune-aarch64"))

    def test_probe_once_and_fact_returned(self):
        a = FakeAction(self.base, "Linux s390x")
        facts = a._select_arch("porttune", {})
        self.assertEqual(a.probes, 1)
        self.assertEqual(facts, {pa.UNAME_FACT: "Linux s390x"})
        self.assertEqual(a._arch_path, os.path.join(self.dir.name, "porttune-s390x"))
        b = FakeAction(self.base, "Linux s390x")
        b._select_arch("porttune", {"ansible_facts": facts})
        self.assertEqual(b.probes, 0)

    def test_x86_64_is_the_module_itself(self):
        a = FakeAction(self.base, "Linux x86_64")
        a._select_arch("porttune", {})
        self.assertIsNone(a._arch_path)

    def test_unsupported_machine_names_itself_and_the_available(self):
        a = FakeAction(self.base, "Linux ppc64")
        with self.assertRaises(AnsibleActionFail) as cm:
            a._select_arch("porttune", {})
        msg = str(cm.exception)
        self.assertIn("it is Linux ppc64", msg)
        self.assertIn("Linux on x86_64, aarch64, s390x.", msg)
        self.assertIn("Nothing was sent.", msg)

    def test_known_arch_without_its_file(self):
        a = FakeAction(self.base, "Linux riscv64")
        with self.assertRaisesRegex(AnsibleActionFail, "it is Linux riscv64, and porttune is built for "
                                                       "Linux on x86_64, aarch64, s390x"):
            a._select_arch("porttune", {})

    def test_not_linux(self):
        a = FakeAction(self.base, "FreeBSD amd64")
        with self.assertRaisesRegex(AnsibleActionFail, "it is FreeBSD amd64"):
            a._select_arch("porttune", {})


if __name__ == "__main__":
    unittest.main()
