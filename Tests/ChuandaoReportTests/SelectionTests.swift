import Testing

@testable import ChuandaoReport

/// `firstIndices` is the prefix of a stable sort: checked against the standard library's
/// `sorted` (stable since Swift 5) on seeded random keys with many ties.
@Suite("Top-k selection")
struct SelectionTests {
  @Test("Equals the prefix of a stable sort", arguments: [1, 7, 2_024])
  func prefixOfStableSort(seed: UInt64) {
    var g = SplitMix(seed)
    for _ in 0..<200 {
      let count = Int(g.next() % 300)
      let k = Int(g.next() % 40)
      let keys = (0..<count).map { _ in Int(g.next() % 25) }  // many ties
      let expected = Array(keys.indices.sorted { keys[$0] > keys[$1] }.prefix(k))
      #expect(firstIndices(k, of: count) { keys[$0] > keys[$1] } == expected, "seed \(seed)")
    }
  }

  @Test("A worked case: ties keep the index order; k of 0 or beyond the count")
  func worked() {
    // keys 3 1 3 0 1 ascending: 0 (index 3), then the 1s at indices 1 and 4, then the 3s.
    let keys = [3, 1, 3, 0, 1]
    #expect(firstIndices(3, of: 5) { keys[$0] < keys[$1] } == [3, 1, 4])
    #expect(firstIndices(0, of: 5) { keys[$0] < keys[$1] } == [])
    #expect(firstIndices(9, of: 5) { keys[$0] < keys[$1] } == [3, 1, 4, 0, 2])
  }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator for the test.
private struct SplitMix {
  var state: UInt64
  init(_ seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
