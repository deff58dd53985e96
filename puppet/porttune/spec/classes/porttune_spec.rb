# SPDX-License-Identifier: MIT
# The class porttune: what it installs, where, and what it refuses.
require 'spec_helper'

describe 'porttune' do
  context 'with defaults' do
    it { is_expected.to compile.with_all_deps }
    it {
      is_expected.to contain_file('/usr/local/bin/porttune')
        .with(ensure: 'file', source: 'puppet:///modules/porttune/porttune', mode: '0755',
              owner: 'root', group: 'root')
        .that_comes_before('File[/etc/facter/facts.d/porttune.sh]')
    }
    it { is_expected.to contain_file('/usr/local/bin/porttune').with_tag('porttune_helper') }
    it {
      is_expected.to contain_file('/usr/local/share/man/man1/porttune.1')
        .with(ensure: 'file', source: 'puppet:///modules/porttune/porttune.1', mode: '0644')
    }
    it { is_expected.to contain_file('/usr/local/share/man/man1').with_ensure('directory') }
    it { is_expected.to contain_file('/etc/facter/facts.d').with_ensure('directory') }
    it {
      is_expected.to contain_file('/etc/facter/facts.d/porttune.sh')
        .with_mode('0755')
        .with_content(%r{^exec '/usr/local/bin/porttune' facts$})
        .with_content(%r{\A#!/bin/sh\n})
    }
    it { is_expected.to have_file_resource_count(5) }
  end

  context 'with paths in a throwaway root' do
    let(:params) { { bin_dir: '/tmp/r/bin', man_dir: '/tmp/r/man', facts_dir: '/tmp/r/facts.d' } }

    it { is_expected.to contain_file('/tmp/r/bin/porttune') }
    it { is_expected.to contain_file('/tmp/r/man/man1/porttune.1') }
    it { is_expected.to contain_file('/tmp/r/facts.d/porttune.sh').with_content(%r{exec '/tmp/r/bin/porttune' facts}) }
    it { is_expected.not_to contain_file('/usr/local/bin/porttune') }
  end

  context 'with manage_fact => false' do
    let(:params) { { manage_fact: false } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_file('/etc/facter/facts.d/porttune.sh') }
    it { is_expected.not_to contain_file('/etc/facter/facts.d') }
    it { is_expected.to have_file_resource_count(3) }
  end

  context 'with a relative bin_dir' do
    let(:params) { { bin_dir: 'usr/local/bin' } }

    it { is_expected.to compile.and_raise_error(%r{parameter 'bin_dir' expects a match for Pattern}) }
  end
end
