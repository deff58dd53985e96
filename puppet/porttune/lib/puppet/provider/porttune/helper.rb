# SPDX-License-Identifier: MIT
# The porttune provider: runs the native helper (`porttune get --json`, `porttune set --json`).
require 'json'
require 'puppet/util/execution'

Puppet::Type.type(:porttune).provide(:helper) do
  desc <<-DOC
    Reads the host with `porttune get --json` and converges with one
    `porttune set --json KEY=VALUE...` call per resource, carrying every
    property out of sync (made by the first setter Puppet calls). The helper's exit codes are Puppet's detailed ones:
    0 in sync, 2 changed, 4 failed (nothing changed), 6 failed after a change.
  DOC

  # Runs the helper; returns [parsed JSON, exit code]. Raises Puppet::Error
  # with the helper's message when it fails.
  def self.helper_run(helper, args)
    path = Puppet::Util.which(helper)
    if path.nil?
      raise Puppet::Error, "porttune: the helper '#{helper}' was not found " \
                           "(install it with make install, or set helper => '/path/to/porttune')"
    end
    out = Puppet::Util::Execution.execute([path] + args, failonfail: false, combine: false,
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
    state, = helper_run('porttune', ['get', '--json'])
    [new(name: 'current', state: state)]
  end

  def initialize(value = {})
    super(value)
    @cached_state = @property_hash.delete(:state)
  end

  def helper
    (resource && resource[:helper]) || 'porttune'
  end

  def state
    @cached_state ||= self.class.helper_run(
      helper, ['get', '--json'] + self.class.file_args(resource && resource[:sysctl_file],
                                                      resource && resource[:state_file])
    ).first
  end

  def flag(name)
    resource.nil? || resource[name] != false
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

  # The first setter Puppet calls converges every property that is out of
  # sync in one `set` call; the others find it done. Not flush: Puppet logs a
  # property as changed once its setter returns, so a failure in flush would
  # follow "changed" notices (and exit 6) although the helper changed nothing.
  def converge(prop, value)
    raise @failure if @failure
    return if @converged
    pending = {}
    resource.properties.each do |p|
      next unless self.class.managed.include?(p.name) && !p.should.nil?
      pending[p.name] = p.should unless p.safe_insync?(current(p.name))
    end
    pending[prop] = value
    run_set(pending)
    @converged = true
  rescue Puppet::Error => e
    @failure = e
    raise
  end

  def run_set(pending)
    args = ['set', '--json'] + pending.map { |prop, value| "#{prop}=#{value}" }
    args << '--no-apply' unless flag(:apply)
    args << '--no-persist' unless flag(:persist)
    args << "conflicts=#{resource[:conflicts]}" if resource[:conflicts]
    args += self.class.file_args(resource[:sysctl_file], resource[:state_file])
    result, = self.class.helper_run(helper, args)
    (result['warnings'] || []).each { |w| resource.warning(w) }
    @cached_state = nil
  end

  def self.managed
    [:port_range, :reserved_ports, :fin_timeout, :tw_reuse, :tw_reuse_delay, :max_tw_buckets]
  end

  managed.each do |prop|
    define_method(prop) { current(prop) }
    define_method("#{prop}=") { |value| converge(prop, value) }
  end
end
