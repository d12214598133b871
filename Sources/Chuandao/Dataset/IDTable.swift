import Glibc

/// An immutable hash table from identifier bytes to their index, built once.
///
/// Lookups take the raw bytes of a CSV field, so loading a million rows never makes a
/// `String` per row. Open addressing with linear probing at load factor <= 0.5; the hash is
/// 64-bit FNV-1a followed by a murmur-style finaliser to spread short numeric ids.
/// Identifiers are compared exactly after trimming surrounding ASCII spaces and tabs.
struct IDTable: Sendable {
  private let bytes: [UInt8]
  private let offsets: [Int]  // ids[i] is bytes[offsets[i] ..< offsets[i + 1]]
  /// 0 = empty; else the hash's high 32 bits, then index + 1 in the low 32 bits, so that a
  /// probe compares bytes only when the fingerprints agree.
  private let slots: [UInt64]
  private let mask: Int

  init(_ ids: [String]) {
    var bytes: [UInt8] = []
    var offsets = [0]
    offsets.reserveCapacity(ids.count + 1)
    for id in ids {
      bytes.append(contentsOf: IDTable.trim(Array(id.utf8)))
      offsets.append(bytes.count)
    }
    var capacity = 16
    while capacity < ids.count * 2 { capacity <<= 1 }
    var slots = [UInt64](repeating: 0, count: capacity)
    let mask = capacity - 1
    bytes.withUnsafeBufferPointer { all in
      for i in 0..<ids.count {
        let key = UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])
        let h = IDTable.hash(key)
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 {
          let j = Int(slots[s] & 0xFFFF_FFFF) - 1
          // Keep the first of duplicate ids (the loader reports duplicates itself).
          if all[offsets[j]..<offsets[j + 1]].elementsEqual(key) { break }
          s = (s + 1) & mask
        }
        if slots[s] == 0 { slots[s] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(i + 1) }
      }
    }
    self.bytes = bytes
    self.offsets = offsets
    self.slots = slots
    self.mask = mask
  }

  var count: Int { offsets.count - 1 }

  func find(_ id: String) -> Int? {
    var s = id
    return s.withUTF8 { find(bytes: $0) }
  }

  /// The index of the id spelled by `key` (untrimmed field bytes), or nil.
  func find(bytes key0: UnsafeBufferPointer<UInt8>) -> Int? {
    let key = IDTable.trim(key0)
    if offsets.count <= 17 { return findLinear(key) }
    let h = IDTable.hash(key)
    let tag = h & 0xFFFF_FFFF_0000_0000
    var s = Int(truncatingIfNeeded: h) & mask
    return slots.withUnsafeBufferPointer { slots in
      offsets.withUnsafeBufferPointer { offsets in
        bytes.withUnsafeBufferPointer { all in
          while true {
            let slot = slots[s]
            if slot == 0 { return nil }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
              let j = Int(slot & 0xFFFF_FFFF) - 1
              let lo = offsets[j]
              if offsets[j + 1] - lo == key.count
                && (key.isEmpty || memcmp(all.baseAddress! + lo, key.baseAddress!, key.count) == 0)
              {
                return j
              }
            }
            s = (s + 1) & mask
          }
        }
      }
    }
  }

  /// For the few names of periods, subjects, kinds and domains a scan beats hashing.
  private func findLinear(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
    bytes.withUnsafeBufferPointer { all in
      for j in 0..<(offsets.count - 1) {
        let lo = offsets[j]
        if offsets[j + 1] - lo == key.count
          && (key.isEmpty || memcmp(all.baseAddress! + lo, key.baseAddress!, key.count) == 0)
        {
          return j
        }
      }
      return nil
    }
  }

  @inline(__always)
  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

  static func trim(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var lo = 0
    var hi = b.count
    while lo < hi && isSpace(b[lo]) { lo += 1 }
    while hi > lo && isSpace(b[hi - 1]) { hi -= 1 }
    return UnsafeBufferPointer(rebasing: b[lo..<hi])
  }

  static func trim(_ b: [UInt8]) -> [UInt8] {
    b.withUnsafeBufferPointer { Array(trim($0)) }
  }

  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in key {
      h ^= UInt64(c)
      h = h &* 0x0000_0100_0000_01b3
    }
    h ^= h >> 33
    h = h &* 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    return h
  }
}
