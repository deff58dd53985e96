# SPDX-License-Identifier: MIT
# rspec-puppet setup for the porttune module (Debian's rspec-puppet and
# puppetlabs_spec_helper; run `rspec spec` in the module's folder). The
# module is its own fixture: rspec-puppet links spec/fixtures/modules/porttune
# to it (not kept in git); puppetlabs_spec_helper needs the folder first.
require 'fileutils'

MODULE_ROOT = File.expand_path('..', __dir__)
FileUtils.mkdir_p(File.join(MODULE_ROOT, 'spec', 'fixtures', 'modules'))
$LOAD_PATH.unshift(File.join(MODULE_ROOT, 'lib'))

RSpec.configure { |c| c.mock_with :rspec }
require 'puppetlabs_spec_helper/module_spec_helper'

RSpec.configure do |c|
  c.default_facts = {
    os: { 'family' => 'Debian', 'name' => 'Debian', 'release' => { 'major' => '12' } },
  }
end
