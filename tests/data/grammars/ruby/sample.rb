# frozen_string_literal: true

require "json"
require_relative "store/backend"

MAX_ENTRIES = 100

module Caching
  VERSION = "1.2.0"

  class LruCache < Store::Base
    include Enumerable
    attr_reader :entries

    def initialize(backend, limit: MAX_ENTRIES)
      @backend = backend
      @entries = {}
      @limit = limit
    end

    def get(key)
      value = @entries.delete(key)
      if value.nil?
        value = @backend.load(key)
      else
        log_hit(key)
      end
      @entries[key] = value
      evict while @entries.size > @limit
      value
    end

    def self.from_json(text)
      data = JSON.parse(text)
      data.each do |key, value|
        puts "#{key}: #{value}"
      end
      new(Store::Memory.new(data))
    end

    def evict
      @entries.keys.each { |k| @entries.delete(k) }
    end

    def log_hit(key)
      case key
      when Symbol
        puts "symbol #{key}"
      else
        puts key.to_s
      end
    end
  end
end

def dump(cache, path)
  File.write(path, JSON.generate(cache.entries))
rescue IOError => e
  warn e.message
end
