# SPDX-License-Identifier: MIT
# porttune's value rules in Ruby: the same parsing, canonical forms and
# messages as the C core (module_src/core/options.c and value.c), so a
# catalog fails at compile time with the helper's own words and insync?
# compares canonical values ("1024 65535" and "1024-65535" are one value).
# tests/puppet/run.sh checks the messages against the built helper.

module PuppetX
  module Porttune
    # Canonical values and validation; every method raises ArgumentError with
    # the C core's message on a bad value.
    module Value
      WS = " \t\n\r".freeze
      UINT32_MAX = 4_294_967_295
      LLONG = (-(2**63))..(2**63 - 1)

      # Bounds from module_src/core/keys.c.
      INT_BOUNDS = {
        'fin_timeout' => [1, 300],
        'tw_reuse' => [0, 2],
        'tw_reuse_delay' => [1, 60_000],
        'max_tw_buckets' => [0, 16_777_216],
      }.freeze

      NOTHING = 'Nothing was changed.'.freeze

      def self.fail!(msg)
        raise ArgumentError, "#{msg} #{NOTHING}"
      end

      # C's "%.80s": the first 80 bytes.
      def self.clip(text)
        text.b.byteslice(0, 80).force_encoding(text.encoding)
      end

      def self.type_name(value)
        case value
        when String then 'str'
        when Integer then 'int'
        when Float then 'float'
        when true, false then 'bool'
        when Array then 'list'
        when Hash then 'dict'
        when nil, :undef then 'NoneType'
        else value.class.name
        end
      end

      # Ansible's int coercion as the core does it (pt__coerce_int).
      def self.coerce_int(value, name)
        case value
        when true, false
          fail!("argument '#{name}' is of type bool and we were unable to convert to int.")
        when Integer
          return value
        when Float
          return value.to_i if value.finite? && value.abs < 9e15 && value == value.to_i
        when String
          # strtoll: leading white space, a sign, digits; then only white space.
          if (m = /\A[ \t\n\r\v\f]*([+-]?\d+)[ \t\n\r]*\z/.match(value))
            n = m[1].to_i
            return n if LLONG.cover?(n)
          end
          fail!("argument '#{name}' is of type str and we were unable to convert to int: " \
                "'#{clip(value)}' is not a whole number.")
        end
        fail!("argument '#{name}' is of type #{type_name(value)} and we were unable to convert to int.")
      end

      # fin_timeout, tw_reuse, tw_reuse_delay, max_tw_buckets: an Integer.
      def self.int(name, value)
        lo, hi = INT_BOUNDS.fetch(name.to_s)
        n = coerce_int(value, name)
        fail!("#{name}: #{n} is out of range; allowed values are #{lo}-#{hi}.") if n < lo || n > hi
        n
      end

      def self.check_range(name, lo, hi)
        if lo < 1 || lo > 65_535 || hi < 1 || hi > 65_535
          fail!("#{name}: #{lo < 1 || lo > 65_535 ? lo : hi} is not a port; ports are 1-65535.")
        end
        if lo > hi
          fail!("#{name}: the range #{lo}-#{hi} ends before it starts; the first port must " \
                'not be above the last.')
        end
        "#{lo}-#{hi}"
      end

      # port_range: "START-END", "START END" or [START, END] to "START-END".
      def self.range(value, name = 'port_range')
        if value.is_a?(Array) && value.size == 2
          lo, hi = value.map { |v| coerce_int(v, name) }
          if lo.negative? || hi.negative? || lo > UINT32_MAX || hi > UINT32_MAX
            fail!("#{name}: #{lo.negative? || lo > UINT32_MAX ? lo : hi} is not a port; ports are 1-65535.")
          end
          return check_range(name, lo, hi)
        end
        unless value.is_a?(String)
          fail!("#{name}: expected \"START-END\", \"START END\" or [START, END], got a #{type_name(value)}.")
        end
        m = /\A[#{WS}]*(\d+)(?:[ \t][#{WS}]*(?:-[#{WS}]*)?|-[#{WS}]*)(\d+)[#{WS}]*\z/.match(value)
        if m.nil? || m[1].to_i > UINT32_MAX || m[2].to_i > UINT32_MAX
          fail!("#{name}: '#{clip(value)}' is not a port range; expected START-END with ports " \
                "1-65535, such as '1024-65535'.")
        end
        check_range(name, m[1].to_i, m[2].to_i)
      end

      # One item of reserved_ports (a port, or a string of ports and ranges) to
      # a list of [lo, hi] pairs; the scanner follows pt__portset_parse.
      def self.portset_item(value, name = 'reserved_ports')
        case value
        when Integer, Float
          n = coerce_int(value, name)
          fail!("#{name}: #{n} is not a port; ports are 1-65535.") if n < 1 || n > 65_535
          return [[n, n]]
        when String
          return parse_portset(value, name)
        end
        fail!("#{name}: expected a list of ports and ranges or a string such as " \
              "\"8080,9000-9100\", got a #{type_name(value)}.")
      end

      def self.parse_portset(text, name)
        bad = lambda do
          fail!("#{name}: '#{clip(text)}' is not a list of ports; expected ports 1-65535 and " \
                "ranges separated by commas, such as '8080,9000-9100'.")
        end
        s = text
        i = 0
        skip = -> { i += 1 while i < s.size && WS.include?(s[i]) }
        num = lambda do
          j = i
          j += 1 while j < s.size && s[j] =~ /\d/
          return nil if j == i
          n = s[i...j].to_i
          return nil if n > UINT32_MAX
          i = j
          n
        end
        out = []
        skip.call
        while i < s.size
          start = i
          (lo = num.call) || bad.call
          hi = lo
          skip.call
          if s[i] == '-'
            i += 1
            skip.call
            (hi = num.call) || bad.call
          end
          fail!("#{name}: #{lo < 1 || lo > 65_535 ? lo : hi} is not a port; ports are 1-65535.") if lo < 1 || hi > 65_535 || lo > 65_535
          if hi < lo
            item = s[start..].split(',', 2).first
            fail!("#{name}: the range '#{item}' ends before it starts; write START-END with START <= END.")
          end
          out << [lo, hi]
          skip.call
          if s[i] == ','
            i += 1
            skip.call
            bad.call if i >= s.size
          elsif i < s.size
            bad.call
          end
        end
        out
      end

      # Sorted, merged ranges as the kernel prints them: "8080-8081,9000-9100".
      def self.portset(pairs)
        merged = []
        pairs.sort.each do |lo, hi|
          if merged.any? && lo <= merged[-1][1] + 1
            merged[-1][1] = hi if hi > merged[-1][1]
          else
            merged << [lo, hi]
          end
        end
        merged.map { |lo, hi| lo == hi ? lo.to_s : "#{lo}-#{hi}" }.join(',')
      end

      # sysctl_file and state_file (parse_path in options.c).
      def self.path(name, value)
        unless value.is_a?(String) && value.start_with?('/') && value.bytesize <= 1024
          fail!("#{name} must be an absolute path of at most 1024 characters.")
        end
        fail!("#{name} must not contain control characters.") if value =~ /[\x00-\x1f\x7f]/
        value
      end
    end
  end
end
