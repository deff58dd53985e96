# SPDX-License-Identifier: MIT
# REFERENCE.md is written by hand (Debian has no puppet-strings): every
# parameter of the class and every property and parameter of the type must
# have its own section there.
require 'spec_helper'

describe 'REFERENCE.md' do
  reference = File.read(File.join(MODULE_ROOT, 'REFERENCE.md'))
  type_part = reference[/^### <a name="porttune-1"><\/a>.*\z/m] || ''
  class_part = reference[/^### <a name="porttune"><\/a>.*?(?=^## Resource types)/m] || ''

  manifest = File.read(File.join(MODULE_ROOT, 'manifests', 'init.pp'))
  class_params = manifest[/^class porttune \((.*?)^\) \{/m, 1].scan(/\$(\w+)\s*=/).flatten

  it('finds the class parameters') { expect(class_params.size).to be >= 6 }

  class_params.each do |param|
    it "documents class parameter #{param}" do
      expect(class_part).to match(/^##### <a name="-porttune--#{param}"><\/a>`#{param}`$/)
    end
  end

  type = Puppet::Type.type(:porttune)
  (type.validproperties + type.parameters).uniq.each do |attr|
    it "documents type attribute #{attr}" do
      expect(type_part).to match(/^##### `#{attr}`$/)
    end
  end
end
