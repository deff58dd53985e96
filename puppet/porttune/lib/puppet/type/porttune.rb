# SPDX-License-Identifier: MIT
# The porttune type: a host's client-port settings, converged by the porttune helper.
require_relative '../../puppet_x/porttune/value'
require 'puppet/parameter/boolean'

Puppet::Type.newtype(:porttune) do
  @doc = <<-DOC
    @summary Client-port settings of a host: the ephemeral port range, reserved
      ports and the TIME_WAIT knobs, live and persisted in one sysctl.d file.

    The `helper` provider runs the native `porttune` helper (the same C core as
    the Ansible module), so values are validated, compared and written exactly
    as the module does. Values are compared in canonical form: "1024 65535"
    and "1024-65535" are the same range; "8081,8080" and "8080-8081" the same
    reserved ports. A setting is in sync when its live value (apply => true)
    and its value in the sysctl file (persist => true) are the wanted one.

    Needs the helper on the agent's PATH: `include porttune` installs it
    (and its man page and the external fact); without it the provider is not
    suitable and Puppet says so.

    @example
      include porttune
      porttune { 'ephemeral':
        port_range     => '1024-65535',
        reserved_ports => ['8080-8081', 9000],
        fin_timeout    => 30,
      }
  DOC

  ensurable do
    desc <<-DOC
      `present` (the default): the properties given are managed; each reports
      its own change. `absent`: the helper's `state=absent` — the named
      properties' entries (every setting when none is named) are removed from
      `sysctl_file`, the file is deleted when it becomes empty, and the live
      values recorded in `state_file` before porttune first changed them are
      put back. The properties' values are validated but not used.
    DOC

    newvalue(:present) do
      # Nothing of its own: with present, ensure is always in sync (see
      # retrieve) and the properties converge.
    end

    newvalue(:absent) do
      provider.destroy
    end

    defaultto :present

    # A host always has these settings, so present is a promise about the
    # properties, which Puppet checks one by one. For absent, the helper
    # decides (`check state=absent`): :present while porttune still has
    # entries or unrestored originals.
    def retrieve
      return :present if should == :present
      provider.exists? ? :present : :absent
    end

    def change_to_s(_current, _should)
      "removed porttune's settings from #{provider.sysctl_file_shown} and put back the recorded live values"
    end
  end

  newparam(:name, namevar: true) do
    desc 'A label for the settings, such as `ephemeral`; the host has one set of them.'
  end

  newproperty(:port_range) do
    desc 'net.ipv4.ip_local_port_range: "START-END", "START END" or [START, END].'

    # [1024, 65535] is one value, not two.
    def should=(values)
      values = [values] if values.is_a?(Array) && values.size == 2 &&
                           values.none? { |v| v.is_a?(Array) }
      super(values)
    end

    validate { |value| PuppetX::Porttune::Value.range(value) }
    munge { |value| PuppetX::Porttune::Value.range(value) }
  end

  newproperty(:reserved_ports, array_matching: :all) do
    desc 'net.ipv4.ip_local_reserved_ports: ports and ranges, as a list or a string ' \
         'such as "8080,9000-9100"; "" reserves none. Compared as a set.'

    validate { |value| PuppetX::Porttune::Value.portset_item(value) }
    munge { |value| PuppetX::Porttune::Value.portset(PuppetX::Porttune::Value.portset_item(value)) }

    # The union of all items in the kernel's form: one string.
    def should
      return nil if @should.nil? || @should.empty?
      items = @should.map { |s| PuppetX::Porttune::Value.portset_item(s) }
      PuppetX::Porttune::Value.portset(items.flatten(1))
    end

    def insync?(is)
      is == should
    end
  end

  { fin_timeout: 'net.ipv4.tcp_fin_timeout, seconds (1-300): the FIN_WAIT_2 timeout, not TIME_WAIT.',
    tw_reuse: 'net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only.',
    tw_reuse_delay: 'net.ipv4.tcp_tw_reuse_delay, milliseconds (1-60000; Linux 6.13 and later).',
    max_tw_buckets: 'net.ipv4.tcp_max_tw_buckets (0-16777216).' }.each do |prop, text|
    newproperty(prop) do
      desc text
      validate { |value| PuppetX::Porttune::Value.int(prop, value) }
      munge { |value| PuppetX::Porttune::Value.int(prop, value) }
    end
  end

  newparam(:apply, boolean: true, parent: Puppet::Parameter::Boolean) do
    desc 'Write live values. false persists only (image builds, read-only /proc/sys).'
    defaultto true
  end

  newparam(:persist, boolean: true, parent: Puppet::Parameter::Boolean) do
    desc 'Write the sysctl file. false manages live values only.'
    defaultto true
  end

  newparam(:sysctl_file) do
    desc 'The sysctl file porttune owns; the helper defaults to /etc/sysctl.d/60-porttune.conf.'
    validate { |value| PuppetX::Porttune::Value.path('sysctl_file', value) }
  end

  newparam(:state_file) do
    desc 'Where the helper keeps original live values; defaults to /var/lib/porttune/state.json.'
    validate { |value| PuppetX::Porttune::Value.path('state_file', value) }
  end

  newparam(:conflicts) do
    desc 'Another sysctl file that overrides ours at boot: warn (the helper default), fail or ignore.'
    newvalues(:warn, :fail, :ignore)
  end

  # The helper the porttune class installs (its file resources carry the tag
  # porttune_helper), and the directory of the sysctl file.
  autorequire(:file) do
    helpers = catalog ? catalog.resources.select { |r| r.type == :file && r.tagged?('porttune_helper') } : []
    helpers.map(&:title) + [self[:sysctl_file] && File.dirname(self[:sysctl_file])].compact
  end

  validate do
    managed = [:port_range, :reserved_ports, :fin_timeout, :tw_reuse, :tw_reuse_delay, :max_tw_buckets]
    if managed.any? { |p| self[p] } && self[:apply] == false && self[:persist] == false
      raise ArgumentError, 'apply and persist are both false: nothing would be managed.'
    end
  end
end
