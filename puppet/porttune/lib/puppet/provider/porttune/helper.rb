# SPDX-License-Identifier: MIT
# The porttune provider: runs the native helper (`porttune get|check|set --json`).
require 'json'
require 'puppet/util/execution'

Puppet::Type.type(:porttune).provide(:helper) do
  desc <<-DOC
    Reads the host with `porttune get --json` and converges in `flush` with
    one `porttune set --json KEY=VALUE...` call carrying every property out of
    sync (or `state=absent` for `ensure => absent`). Needs the `porttune`
    helper on PATH (`include porttune` installs it); without it this provider
    is not suitable. The helper's exit codes are Puppet's detailed ones:
    0 in sync, 2 changed, 4 failed (nothing changed), 6 failed after a change.
  DOC

  commands porttune: 'porttune'

  # (Not a constant: one defined in this block would land on Object.)
  def self.managed
    [:port_range, :reserved_ports, :fin_timeout, :tw_reuse, :tw_reuse_delay, :max_tw_buckets]
  end

  # Runs the helper; returns [parsed JSON, exit code]. Raises Puppet::Error
  # with the helper's message when it fails.
  def self.helper_run(args)
    out = Puppet::Util::Execution.execute([command(:porttune)] + args, failonfail: false, combine: false,
                                                                        override_locale: false)
    code = out.exitstatus
    data = begin
      JSON.parse(out.to_s)
    rescue JSON::ParserError
      nil
    end
    if data.nil? || ![0, 2].include?(code)
      msg = data.is_a?(Hash) && data['msg'] ? data['msg'] : "exit #{code}: #{out.to_s.strip[0, 500]}"
      msg += ' (some changes stayed: the helper exited 6)' if code == 6
      raise Puppet::Error, msg
    end
    [data, code]
  end

  def self.file_args(sysctl_file, state_file)
    args = []
    args += ['--file', sysctl_file] if sysctl_file
    args += ['--state-file', state_file] if state_file
    args
  end

  # `puppet resource porttune`: the host's one set of settings, named 'current'.
  def self.instances
    state, = helper_run(['get', '--json'])
    [new(name: 'current', ensure: :present, state: state)]
  end

  def initialize(value = {})
    super(value)
    @cached_state = @property_hash.delete(:state)
  end

  def state
    @cached_state ||= self.class.helper_run(['get', '--json'] + files).first
  end

  def files
    self.class.file_args(resource && resource[:sysctl_file], resource && resource[:state_file])
  end

  def flag(name)
    resource.nil? || resource[name] != false
  end

  def sysctl_file_shown
    (resource && resource[:sysctl_file]) || (@cached_state && @cached_state['sysctl_file']) ||
      '/etc/sysctl.d/60-porttune.conf'
  end

  # What Puppet compares with the wanted value: the live value when that is
  # off; else, when the file's value is off, the live value with a note on
  # the file, so drift in the file alone shows as a change; else the wanted
  # value (in sync).
  def current(prop)
    s = state['settings'] && state['settings'][prop.to_s]
    return :absent if s.nil? || !s['supported']
    want = resource && resource.should(prop)
    return s['live'] if want.nil?
    return s['live'] if flag(:apply) && s['live'] != want
    if flag(:persist) && s['persisted'] != want
      file = state['sysctl_file'] || 'the sysctl file'
      return "#{s['live']} (#{s['persisted'].nil? ? 'not in' : "#{s['persisted']} in"} #{file})"
    end
    want
  end

  # KEY=VALUE words and options for one helper call.
  def helper_args(command, pending, absent: false)
    args = [command, '--json'] + pending.map { |prop, value| "#{prop}=#{value}" }
    args << 'state=absent' if absent
    args << '--no-apply' unless flag(:apply)
    args << '--no-persist' unless flag(:persist)
    args << "conflicts=#{resource[:conflicts]}" if resource[:conflicts]
    args + files
  end

  # The properties named in the manifest, for state=absent: their entries go.
  def named
    resource.properties.each_with_object({}) do |p, h|
      h[p.name] = p.should if self.class.managed.include?(p.name) && !p.should.nil?
    end
  end

  # ensure => absent: true while the helper would still remove or restore
  # something (`check` exits 2).
  def exists?
    _, code = self.class.helper_run(helper_args('check', named, absent: true))
    code == 2
  end

  def create; end

  def destroy
    @pending_absent = true
  end

  # Setters only record; flush converges. Puppet logs each property as
  # changed when its setter returns, before flush runs, and a failure in
  # flush alone would follow those notices (and give exit 6) although the
  # helper changed nothing. So the first setter asks the helper first
  # (`check`, which validates every pending value against this host and
  # changes nothing) and, when that fails, every setter fails with its
  # message: no change notices, exit 4. What only the write itself can show
  # (the kernel refusing a value, a read-only file system) fails the
  # resource from flush with the helper's message; Puppet has counted the
  # logged changes by then, so its exit code is 6 even when the helper put
  # everything back, and the message says the logged changes were not all
  # made (the harness offers a provider no way to take a change back).
  def record(prop, value)
    raise @failure if @failure
    if @pending.nil?
      pending = {}
      resource.properties.each do |p|
        next unless self.class.managed.include?(p.name) && !p.should.nil?
        pending[p.name] = p.should unless p.safe_insync?(current(p.name))
      end
      pending[prop] = value
      self.class.helper_run(helper_args('check', pending))
      @pending = pending
    end
    @pending[prop] = value
  rescue Puppet::Error => e
    @failure = e
    raise
  end

  def flush
    return unless @pending_absent || @pending
    args = @pending_absent ? helper_args('set', named, absent: true) : helper_args('set', @pending)
    @pending_absent = false
    @pending = nil
    begin
      result, = self.class.helper_run(args)
    rescue Puppet::Error => e
      raise Puppet::Error, "#{e.message} (the changes logged above for this resource were not all made)"
    end
    (result['warnings'] || []).each { |w| resource.warning(w) }
    @cached_state = nil
  end

  managed.each do |prop|
    define_method(prop) { current(prop) }
    define_method("#{prop}=") { |value| record(prop, value) }
  end
end
