# SPDX-License-Identifier: MIT
# @summary Installs the porttune helper, its man page and the `porttune`
#   external fact, so that the `porttune` type works on this node.
#
# The helper is the static binary shipped in the module's files/; the
# `porttune` type's provider runs it from the agent's PATH, so `bin_dir`
# must be on that PATH (the default /usr/local/bin is).
#
# On Windows (`$facts['os']['family'] == 'windows'`) the class installs
# `porttune.exe` into `windows_install_dir` and the fact `porttune.bat`
# into `windows_facts_dir` instead (private class porttune::windows); no
# man page, and `bin_dir`, `man_dir`, `facts_dir`, `owner` and `group` are
# not used there. The class does not change PATH: the type's provider finds
# `porttune.exe` only when `windows_install_dir` is on the agent's PATH.
#
# @example
#   include porttune
#   porttune { 'ephemeral':
#     port_range => '1024-65535',
#     require    => Class['porttune'],
#   }
#
# @param bin_dir
#   Directory for the `porttune` helper; must exist and be on the agent's PATH.
# @param man_dir
#   Man page root; the page goes to `${man_dir}/man1/porttune.1` (man1 is
#   created when missing).
# @param facts_dir
#   Facter's external facts directory for `porttune.sh` (created when
#   missing). Debian's facter reads /etc/facter/facts.d; Puppet's own
#   packages read /etc/puppetlabs/facter/facts.d.
# @param manage_fact
#   Install the external fact; false leaves `facts_dir` alone.
# @param owner
#   Owner of the installed files.
# @param group
#   Group of the installed files.
# @param windows_install_dir
#   Windows only: directory for `porttune.exe` (created when missing; its
#   parent must exist). The fact looks in `%ProgramFiles%\porttune` first,
#   then on PATH.
# @param windows_facts_dir
#   Windows only: Facter's external facts directory for `porttune.bat`
#   (created when missing; its parent must exist).
class porttune (
  Pattern[/\A\//] $bin_dir = '/usr/local/bin',
  Pattern[/\A\//] $man_dir = '/usr/local/share/man',
  Pattern[/\A\//] $facts_dir = '/etc/facter/facts.d',
  Boolean $manage_fact = true,
  String[1] $owner = 'root',
  String[1] $group = 'root',
  Pattern[/\A[A-Za-z]:[\/\\]/] $windows_install_dir = 'C:/Program Files/porttune',
  Pattern[/\A[A-Za-z]:[\/\\]/] $windows_facts_dir = 'C:/ProgramData/PuppetLabs/facter/facts.d',
) {
  if $facts['os']['family'] == 'windows' {
    class { 'porttune::windows':
      install_dir => $windows_install_dir,
      facts_dir   => $windows_facts_dir,
      manage_fact => $manage_fact,
    }
    contain porttune::windows
  } else {
    $helper = "${bin_dir}/porttune"

    file { $helper:
      ensure => file,
      source => 'puppet:///modules/porttune/porttune',
      owner  => $owner,
      group  => $group,
      mode   => '0755',
      tag    => 'porttune_helper',
    }

    file { "${man_dir}/man1":
      ensure => directory,
      owner  => $owner,
      group  => $group,
      mode   => '0755',
    }

    file { "${man_dir}/man1/porttune.1":
      ensure => file,
      source => 'puppet:///modules/porttune/porttune.1',
      owner  => $owner,
      group  => $group,
      mode   => '0644',
    }

    if $manage_fact {
      file { $facts_dir:
        ensure => directory,
        owner  => $owner,
        group  => $group,
        mode   => '0755',
      }

      file { "${facts_dir}/porttune.sh":
        ensure  => file,
        content => epp('porttune/porttune_fact.sh.epp', { 'helper' => $helper }),
        owner   => $owner,
        group   => $group,
        mode    => '0755',
        require => File[$helper],
      }
    }
  }
}
