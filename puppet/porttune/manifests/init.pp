# SPDX-License-Identifier: MIT
# @summary Installs the porttune helper, its man page and the `porttune`
#   external fact, so that the `porttune` type works on this node.
#
# The helper is the static binary shipped in the module's files/; the
# `porttune` type's provider runs it from the agent's PATH, so `bin_dir`
# must be on that PATH (the default /usr/local/bin is).
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
class porttune (
  Pattern[/\A\//] $bin_dir = '/usr/local/bin',
  Pattern[/\A\//] $man_dir = '/usr/local/share/man',
  Pattern[/\A\//] $facts_dir = '/etc/facter/facts.d',
  Boolean $manage_fact = true,
  String[1] $owner = 'root',
  String[1] $group = 'root',
) {
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
