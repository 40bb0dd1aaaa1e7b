import Foundation
import struct CoreGraphics.CGPoint
@testable import CacheKit

let maxEntries = 100
var verbose = false

typealias Key = String

protocol Cache {
    associatedtype Value
    func get(_ key: Key) -> Value?
    mutating func clear()
}

enum CacheError: Error {
    case missing(Key)
    case corrupt
}

struct Entry<Value> {
    let key: Key
    var value: Value
}

final class LruCache<Value>: Cache {
    static let defaultLimit = 64
    private var entries: [Key: Entry<Value>] = [:]
    private let backend: Backend

    init(backend: Backend) {
        self.backend = backend
    }

    func get(_ key: Key) -> Value? {
        if let entry = entries[key] {
            return entry.value
        } else {
            log("miss \(key)")
        }
        guard let value = backend.load(key) as? Value else {
            return nil
        }
        entries[key] = Entry(key: key, value: value)
        while entries.count > maxEntries {
            evict()
        }
        return value
    }

    func clear() {}

    private func evict() {
        for k in entries.keys {
            entries.removeValue(forKey: k)
            break
        }
    }
}

extension LruCache: CustomStringConvertible {
    var description: String {
        let names = entries.keys.map { key in
            key.uppercased()
        }
        return """
        LruCache(\(names.joined(separator: ", ")))
        """
    }
}

func load(from path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw CacheError.missing(path)
    }
}

func log(_ message: String) {
    switch message.count {
    case 0:
        return
    default:
        print(#"[cache] "\#(message)""#)
    }
}
