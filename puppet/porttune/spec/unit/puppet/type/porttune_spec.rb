# SPDX-License-Identifier: MIT
# The porttune type: validation with the helper's messages, munging to
# canonical forms, ensure, and the parameters it no longer has.
require 'spec_helper'

describe Puppet::Type.type(:porttune) do
  let(:type) { described_class }

  def make(params)
    type.new({ name: 'ephemeral' }.merge(params))
  end

  it 'has the helper provider' do
    expect(type.provider(:helper)).not_to be_nil
  end

  it 'declares its helper command, so a node without it is not suitable' do
    expect(type.provider(:helper).command(:porttune)).to be_nil.or be_a(String)
    allow(Puppet::Util).to receive(:which).and_call_original
    allow(Puppet::Util).to receive(:which).with('porttune').and_return(nil)
    expect(type.provider(:helper).suitable?).to be false
  end

  it 'requires the helper file the class installs (tag porttune_helper) and the sysctl file folder' do
    catalog = Puppet::Resource::Catalog.new
    helper = Puppet::Type.type(:file).new(path: '/opt/pt/bin/porttune', tag: 'porttune_helper')
    other = Puppet::Type.type(:file).new(path: '/opt/pt/bin/other')
    folder = Puppet::Type.type(:file).new(path: '/etc/sysctl.d', ensure: 'directory')
    res = make(fin_timeout: 30, sysctl_file: '/etc/sysctl.d/61-pt.conf')
    catalog.add_resource(helper, other, folder, res)
    expect(res.autorequire.map { |edge| edge.source.ref })
      .to contain_exactly('File[/opt/pt/bin/porttune]', 'File[/etc/sysctl.d]')
  end

  describe 'ensure' do
    it('defaults to present') { expect(make({})[:ensure]).to eq(:present) }
    it('accepts absent') { expect(make(ensure: 'absent')[:ensure]).to eq(:absent) }
    it 'rejects other values' do
      expect { make(ensure: 'purged') }.to raise_error(Puppet::ResourceError, %r{Invalid value "purged"})
    end
  end

  describe 'port_range' do
    { '1024-65535' => '1024-65535', '1024 65535' => '1024-65535', " 1024\t-  65535 " => '1024-65535',
      [1024, 65_535] => '1024-65535', %w[1024 65535] => '1024-65535' }.each do |input, canonical|
      it "munges #{input.inspect} to #{canonical}" do
        expect(make(port_range: input)[:port_range]).to eq(canonical)
      end
    end

    it 'rejects a port out of range with the helper message' do
      expect { make(port_range: '70000-1') }.to raise_error(
        Puppet::ResourceError, %r{port_range: 70000 is not a port; ports are 1-65535. Nothing was changed.}
      )
    end

    it 'rejects a reversed range' do
      expect { make(port_range: '2000-1000') }.to raise_error(Puppet::ResourceError, %r{ends before it starts})
    end

    it 'rejects text' do
      expect { make(port_range: 'abc') }.to raise_error(Puppet::ResourceError, %r{'abc' is not a port range})
    end
  end

  describe 'reserved_ports' do
    it 'merges a list and strings into the kernel form' do
      expect(make(reserved_ports: ['8081', 8080, '9000-9100']).property(:reserved_ports).should)
        .to eq('8080-8081,9000-9100')
    end

    it 'reads a comma string' do
      expect(make(reserved_ports: ' 9000 - 9100 , 8080').property(:reserved_ports).should).to eq('8080,9000-9100')
    end

    it 'takes "" for none' do
      expect(make(reserved_ports: '').property(:reserved_ports).should).to eq('')
    end

    it 'compares as a set' do
      prop = make(reserved_ports: '8081,8080').property(:reserved_ports)
      expect(prop.insync?('8080-8081')).to be true
      expect(prop.insync?('8080')).to be false
    end

    it 'rejects port 0' do
      expect { make(reserved_ports: [0]) }.to raise_error(Puppet::ResourceError, %r{0 is not a port})
    end

    it 'rejects a trailing comma' do
      expect { make(reserved_ports: '8080,') }.to raise_error(Puppet::ResourceError, %r{is not a list of ports})
    end
  end

  { fin_timeout: [1, 300], tw_reuse: [0, 2], tw_reuse_delay: [1, 60_000], max_tw_buckets: [0, 16_777_216] }
    .each do |prop, (lo, hi)|
    describe prop.to_s do
      it("munges '#{hi}' to an Integer") { expect(make(prop => hi.to_s)[prop]).to eq(hi) }
      it("accepts #{lo}") { expect(make(prop => lo)[prop]).to eq(lo) }
      it "rejects #{hi + 1} with the allowed range" do
        expect { make(prop => hi + 1) }.to raise_error(
          Puppet::ResourceError, %r{#{prop}: #{hi + 1} is out of range; allowed values are #{lo}-#{hi}\.}
        )
      end
      it 'rejects a fraction' do
        expect { make(prop => '3.5') }.to raise_error(Puppet::ResourceError, %r{is not a whole number})
      end
    end
  end

  describe 'parameters' do
    it('apply and persist default to true') { expect([make({})[:apply], make({})[:persist]]).to eq([true, true]) }
    it('munges apply => "false"') { expect(make(apply: 'false')[:apply]).to be false }

    it 'refuses apply => false with persist => false when a setting is managed' do
      expect { make(fin_timeout: 30, apply: false, persist: false) }
        .to raise_error(Puppet::ResourceError, %r{apply and persist are both false})
    end

    it 'accepts conflicts warn, fail and ignore only' do
      expect(make(conflicts: 'fail')[:conflicts]).to eq(:fail)
      expect { make(conflicts: 'maybe') }.to raise_error(Puppet::ResourceError, %r{Invalid value "maybe"})
    end

    it 'wants absolute paths for sysctl_file and state_file' do
      expect(make(sysctl_file: '/etc/sysctl.d/61-x.conf')[:sysctl_file]).to eq('/etc/sysctl.d/61-x.conf')
      expect { make(sysctl_file: 'x.conf') }.to raise_error(Puppet::ResourceError, %r{sysctl_file must be an absolute path})
      expect { make(state_file: 'state.json') }.to raise_error(Puppet::ResourceError, %r{state_file must be an absolute path})
    end

    it 'has no helper parameter (the helper comes from PATH)' do
      expect(type.validattr?(:helper)).to be false
    end
  end
end
