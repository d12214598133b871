/// An immutable hash table from identifier bytes to their index, built once.
///
/// Lookups take the raw bytes of a CSV field, so loading a million rows never makes a
/// `String` per row. Open addressing with linear probing at load factor <= 0.5; the hash is
/// 64-bit FNV-1a followed by a murmur-style finaliser to spread short numeric ids.
/// Identifiers are compared exactly after trimming surrounding ASCII spaces and tabs.
struct IDTable: Sendable {
  private let bytes: [UInt8]
  private let offsets: [Int]  // ids[i] is bytes[offsets[i] ..< offsets[i + 1]]
  private let slots: [Int32]  // -1 = empty
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
    var slots = [Int32](repeating: -1, count: capacity)
    let mask = capacity - 1
    bytes.withUnsafeBufferPointer { all in
      for i in 0..<ids.count {
        let key = UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])
        var s = Int(truncatingIfNeeded: IDTable.hash(key)) & mask
        while slots[s] >= 0 {
          let j = Int(slots[s])
          // Keep the first of duplicate ids (the loader reports duplicates itself).
          if all[offsets[j]..<offsets[j + 1]].elementsEqual(key) { break }
          s = (s + 1) & mask
        }
        if slots[s] < 0 { slots[s] = Int32(i) }
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
    var s = Int(truncatingIfNeeded: IDTable.hash(key)) & mask
    return bytes.withUnsafeBufferPointer { all in
      while true {
        let j = Int(slots[s])
        if j < 0 { return nil }
        let lo = offsets[j]
        let hi = offsets[j + 1]
        if hi - lo == key.count && (key.isEmpty || memcmpEqual(all.baseAddress! + lo, key.baseAddress!, key.count)) {
          return j
        }
        s = (s + 1) & mask
      }
    }
  }

  @inline(__always)
  private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for k in 0..<n where a[k] != b[k] { return false }
    return true
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
