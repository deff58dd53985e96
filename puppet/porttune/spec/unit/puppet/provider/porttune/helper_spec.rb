# SPDX-License-Identifier: MIT
# The helper provider's calls, with the helper stubbed: setters only record,
# flush converges in one `set`, a failed `check` fails every setter before
# anything is written, ensure => absent is one `set state=absent`.
require 'spec_helper'

describe Puppet::Type.type(:porttune).provider(:helper) do
  let(:get_json) do
    { 'sysctl_file' => '/etc/sysctl.d/60-porttune.conf',
      'settings' => {
        'port_range' => { 'supported' => true, 'live' => '32768-60999', 'persisted' => nil },
        'fin_timeout' => { 'supported' => true, 'live' => 60, 'persisted' => nil },
      } }
  end
  let(:resource) do
    Puppet::Type.type(:porttune).new(name: 'ephemeral', port_range: '1024-65535', fin_timeout: 30,
                                     state_file: '/tmp/s.json', provider: :helper)
  end
  let(:provider) { resource.provider }
  let(:calls) { [] }

  before(:each) do
    allow(described_class).to receive(:helper_run) do |args|
      calls << args
      raise Puppet::Error, @fail_on[args.first] if @fail_on && @fail_on[args.first]
      args.first == 'get' ? [get_json, 0] : [{ 'changed' => true }, 2]
    end
  end

  it 'reads with get and reports live values that differ' do
    expect(provider.port_range).to eq('32768-60999')
    expect(provider.fin_timeout).to eq(60)
    expect(calls).to eq([['get', '--json', '--state-file', '/tmp/s.json']])
  end

  it 'checks once in the first setter, writes nothing until flush, then one set with every property' do
    provider.port_range = '1024-65535'
    provider.fin_timeout = 30
    expect(calls.map(&:first)).to eq(%w[get check])
    expect(calls[1]).to include('port_range=1024-65535', 'fin_timeout=30')
    provider.flush
    expect(calls.map(&:first)).to eq(%w[get check set])
    expect(calls[2]).to eq(['set', '--json', 'port_range=1024-65535', 'fin_timeout=30',
                            '--state-file', '/tmp/s.json'])
  end

  it 'fails every setter with the check message and never calls set' do
    @fail_on = { 'check' => 'port_range: 1000-65535 starts below ...' }
    expect { provider.port_range = '1024-65535' }.to raise_error(Puppet::Error, %r{starts below})
    expect { provider.fin_timeout = 30 }.to raise_error(Puppet::Error, %r{starts below})
    provider.flush
    expect(calls.map(&:first)).not_to include('set')
  end

  it 'fails flush when set fails, saying the logged changes were not all made' do
    @fail_on = { 'set' => 'the kernel refused it. Nothing was changed.' }
    provider.port_range = '1024-65535'
    expect { provider.flush }.to raise_error(Puppet::Error, %r{Nothing was changed. \(the changes logged above})
  end

  it 'passes --no-apply, --no-persist and conflicts' do
    res = Puppet::Type.type(:porttune).new(name: 'x', fin_timeout: 30, apply: false, conflicts: 'fail',
                                           provider: :helper)
    res.provider.fin_timeout = 30
    res.provider.flush
    expect(calls.last).to eq(['set', '--json', 'fin_timeout=30', '--no-apply', 'conflicts=fail'])
  end

  describe 'ensure => absent' do
    let(:resource) do
      Puppet::Type.type(:porttune).new(name: 'ephemeral', ensure: :absent, fin_timeout: 30, provider: :helper)
    end

    it 'exists while check state=absent would change something' do
      expect(provider.exists?).to be true
      expect(calls.last).to eq(['check', '--json', 'fin_timeout=30', 'state=absent'])
    end

    it 'does not exist when check state=absent has nothing to do (exit 0)' do
      allow(described_class).to receive(:helper_run).and_return([{ 'changed' => false }, 0])
      expect(provider.exists?).to be false
    end

    it 'is one set state=absent in flush' do
      provider.destroy
      expect(calls).to be_empty
      provider.flush
      expect(calls).to eq([['set', '--json', 'fin_timeout=30', 'state=absent']])
    end
  end
end
