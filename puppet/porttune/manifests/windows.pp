# SPDX-License-Identifier: MIT
# @summary Private: installs porttune.exe and the `porttune` fact
#   porttune.bat on Windows; declared by the class porttune.
#
# No owner, group or mode: the files inherit the folders' ACLs (any user
# may run the helper and read the fact; `porttune.exe facts` needs no
# administrator rights). No man page and no PATH change.
#
# @api private
#
# @param install_dir
#   Directory for `porttune.exe` (the module's files/porttune.exe).
# @param facts_dir
#   Facter's external facts directory for `porttune.bat`.
# @param manage_fact
#   Install the fact; false leaves `facts_dir` alone.
class porttune::windows (
  Pattern[/\A[A-Za-z]:[\/\\]/] $install_dir,
  Pattern[/\A[A-Za-z]:[\/\\]/] $facts_dir,
  Boolean $manage_fact,
) {
  if $caller_module_name != $module_name {
    fail("porttune::windows is private to the porttune module (declared from '${caller_module_name}'): declare the class porttune instead")
  }

  $helper = "${install_dir}/porttune.exe"

  file { $install_dir:
    ensure => directory,
  }

  file { $helper:
    ensure => file,
    source => 'puppet:///modules/porttune/porttune.exe',
    tag    => 'porttune_helper',
  }

  if $manage_fact {
    file { $facts_dir:
      ensure => directory,
    }

    # The module's facts.d/porttune.bat (also pluginsynced to agents): runs
    # %ProgramFiles%\porttune\porttune.exe facts, else porttune.exe on PATH,
    # and prints nothing when neither exists.
    file { "${facts_dir}/porttune.bat":
      ensure  => file,
      source  => 'puppet:///modules/porttune/porttune.bat',
      require => File[$helper],
    }
  }
}
