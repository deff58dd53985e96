# SPDX-License-Identifier: MIT
# The class porttune: what it installs, where, and what it refuses, on
# Linux and (with Windows facts: rspec-puppet then pretends to be Windows, so
# C:/ paths are absolute) on Windows.
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

  # The Windows branch (the private class porttune::windows).
  context 'on Windows' do
    let(:facts) do
      { os: { 'family' => 'windows', 'name' => 'windows', 'release' => { 'major' => '2022', 'full' => '2022' } } }
    end
    let(:exe) { 'C:/Program Files/porttune/porttune.exe' }
    let(:bat) { 'C:/ProgramData/PuppetLabs/facter/facts.d/porttune.bat' }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to contain_class('porttune::windows') }
    it { is_expected.to contain_file('C:/Program Files/porttune').with_ensure('directory') }
    it {
      is_expected.to contain_file(exe)
        .with(ensure: 'file', source: 'puppet:///modules/porttune/porttune.exe', tag: 'porttune_helper')
        .without_owner.without_group.without_mode
        .that_requires('File[C:/Program Files/porttune]')
    }
    it { is_expected.to contain_file('C:/ProgramData/PuppetLabs/facter/facts.d').with_ensure('directory') }
    it {
      is_expected.to contain_file(bat)
        .with(ensure: 'file', source: 'puppet:///modules/porttune/porttune.bat')
        .without_owner.without_group.without_mode.without_content
        .that_requires("File[#{exe}]")
        .that_requires('File[C:/ProgramData/PuppetLabs/facter/facts.d]')
    }
    it { is_expected.to have_file_resource_count(4) }
    it { is_expected.not_to contain_file('/usr/local/bin/porttune') }
    it { is_expected.not_to contain_file('/usr/local/share/man/man1/porttune.1') }
    it { is_expected.not_to contain_file('/usr/local/share/man/man1') }
    it { is_expected.not_to contain_file('/etc/facter/facts.d/porttune.sh') }
    it { is_expected.not_to contain_file('/etc/facter/facts.d') }

    context 'with a porttune resource' do
      let(:pre_condition) { "porttune { 'ephemeral': port_range => '1024-65535' }" }

      it { is_expected.to compile.with_all_deps }
      # The type's autorequire (the file tagged porttune_helper): only the
      # RAL catalog shows it, rspec-puppet's that_requires does not.
      it 'autorequires porttune.exe' do
        ral = catalogue.to_ral
        edges = ral.resource('Porttune[ephemeral]').autorequire.map { |edge| edge.source.ref }
        expect(edges).to eq(["File[#{exe}]"])
      end
    end

    context 'with other directories' do
      let(:params) { { windows_install_dir: 'D:/Tools/porttune', windows_facts_dir: 'D:/facts.d' } }

      it { is_expected.to contain_file('D:/Tools/porttune/porttune.exe').with_source('puppet:///modules/porttune/porttune.exe') }
      it { is_expected.to contain_file('D:/facts.d/porttune.bat').that_requires('File[D:/Tools/porttune/porttune.exe]') }
      it { is_expected.not_to contain_file(exe) }
      it { is_expected.not_to contain_file(bat) }
    end

    context 'with manage_fact => false' do
      let(:params) { { manage_fact: false } }

      it { is_expected.to compile.with_all_deps }
      it { is_expected.to contain_file(exe) }
      it { is_expected.not_to contain_file(bat) }
      it { is_expected.not_to contain_file('C:/ProgramData/PuppetLabs/facter/facts.d') }
      it { is_expected.to have_file_resource_count(2) }
    end

    context 'with a POSIX windows_install_dir' do
      let(:params) { { windows_install_dir: '/opt/porttune' } }

      it { is_expected.to compile.and_raise_error(%r{parameter 'windows_install_dir' expects a match for Pattern}) }
    end
  end

  context 'with Windows-only parameters on Linux' do
    let(:params) { { windows_install_dir: 'D:/Tools/porttune', windows_facts_dir: 'D:/facts.d' } }

    it { is_expected.to compile.with_all_deps }
    it { is_expected.not_to contain_class('porttune::windows') }
    it { is_expected.to contain_file('/usr/local/bin/porttune') }
    it { is_expected.to have_file_resource_count(5) }
  end
end

describe 'porttune::windows' do
  let(:facts) { { os: { 'family' => 'windows', 'name' => 'windows' } } }
  let(:params) { { install_dir: 'C:/porttune', facts_dir: 'C:/facts.d', manage_fact: true } }

  it { is_expected.to compile.and_raise_error(%r{porttune::windows is private to the porttune module .*declare the class porttune instead}) }
end
