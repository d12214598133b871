/// The organisation hierarchy: a forest with named levels, stored breadth-first.
///
/// Nodes are integer indices in breadth-first order (roots in file order, then each
/// node's children in file order). Two properties follow and everything here rests on them:
/// - every level is one contiguous range of indices (`levelRange(k)`);
/// - the children of node `i` are the contiguous range `childStart[i] ..< childStart[i + 1]`,
///   and the descendants of `i` at any depth are contiguous too (the range of the children
///   of the first and one-past-the-last nodes of the range above).
/// So parent, children, depth and ancestor-at-level are O(1) (or O(levels)), subtree
/// iteration is O(size) and roll-ups are one reverse pass; nothing recurses, whatever the
/// depth or size.
public struct Forest: Sendable {
  /// The cluster of each of `nodes` for cluster-robust errors: its parent (a node without
  /// one is its own cluster), numbered 0, 1, ... in order of first appearance; and how many.
  public func parentClusters(_ nodes: [Int]) -> (ids: [Int32], count: Int) {
    var number: [Int: Int32] = [:]
    let ids = nodes.map { i -> Int32 in
      let owner = parent[i] >= 0 ? Int(parent[i]) : i
      if let known = number[owner] { return known }
      let g = Int32(number.count)
      number[owner] = g
      return g
    }
    return (ids, number.count)
  }

  public let levelNames: [String]
  /// Node ids and display names, interned once.
  public let ids: [String]
  public let names: [String]
  /// The parent's index, or -1 for a top-level node.
  public let parent: [Int32]
  public let level: [UInt8]
  /// CSR child offsets, `count + 1` long.
  public let childStart: [Int32]
  /// `levelStart[k] ..< levelStart[k + 1]` are the nodes of level k (`levels + 1` long).
  public let levelStart: [Int]
  /// First and last period index in which the node exists (inclusive).
  public let validFrom: [Int32]
  public let validTo: [Int32]
  /// Members from org.csv (members.csv may override them per period).
  public let baseMembers: [Int32]
  /// 1 = Party and administrative heads are different people, 0 = not, -1 = not given.
  public let partyAdminSplit: [Int8]
  /// Full-time discipline staff, or -1 when not given.
  public let disciplineStaff: [Int32]
  /// The node that continues this one after `validTo`, or -1.
  public let successor: [Int32]
  /// The org.csv line each node was read from.
  public let sourceLine: [Int32]
  let lookup: IDTable
  /// 1 = the discipline office shares staff with the Party-affairs office (合署办公), 0 =
  /// not, -1 = not given; empty when org.csv has no `joint_office` column.
  public internal(set) var jointOffice: [Int8] = []

  /// `jointOffice[i]` as a Bool, nil when not given.
  public func isJointOffice(_ i: Int) -> Bool? {
    jointOffice.isEmpty || jointOffice[i] < 0 ? nil : jointOffice[i] == 1
  }

  public var count: Int { ids.count }
  public var levelCount: Int { levelNames.count }

  public func levelRange(_ k: Int) -> Range<Int> { levelStart[k]..<levelStart[k + 1] }

  public func children(of i: Int) -> Range<Int> { Int(childStart[i])..<Int(childStart[i + 1]) }

  /// The parent's id, or nil for a top-level node.
  public func parentID(of i: Int) -> String? { parent[i] >= 0 ? ids[Int(parent[i])] : nil }

  /// The parent's display name, or nil for a top-level node.
  public func parentName(of i: Int) -> String? { parent[i] >= 0 ? names[Int(parent[i])] : nil }

  /// The node's index for an id (compared exactly, after trimming surrounding spaces).
  public func index(of id: String) -> Int? { lookup.find(id) }

  /// The ancestor of `i` at level `k` (`i` itself when `k` is its level). O(levels).
  public func ancestor(of i: Int, atLevel k: Int) -> Int {
    precondition(k <= Int(level[i]), "ancestor(of:atLevel:) asked for a level below the node")
    var j = i
    for _ in 0..<(Int(level[i]) - k) { j = Int(parent[j]) }
    return j
  }

  /// The descendants of `i` at level `k >= level[i]`, as one contiguous range. O(levels).
  public func descendants(of i: Int, atLevel k: Int) -> Range<Int> {
    precondition(k >= Int(level[i]), "descendants(of:atLevel:) asked for a level above the node")
    var lo = i
    var hi = i + 1
    for _ in 0..<(k - Int(level[i])) {
      lo = Int(childStart[lo])
      hi = Int(childStart[hi])
    }
    return lo..<hi
  }

  /// Calls `body` for every node of the subtree of `i` (itself first), level by level.
  public func forEachInSubtree(of i: Int, _ body: (Int) throws -> Void) rethrows {
    var lo = i
    var hi = i + 1
    for _ in Int(level[i])..<levelCount {
      if lo >= hi { break }
      for j in lo..<hi { try body(j) }
      lo = Int(childStart[lo])
      hi = Int(childStart[hi])
    }
  }

  /// Sums a per-node column over each node's subtree (the node itself included): one pass
  /// from the last index back, adding each node into its parent.
  public func rollUp<T: AdditiveArithmetic>(_ column: [T]) -> [T] {
    precondition(column.count == count, "rollUp: column has \(column.count) rows, forest \(count)")
    var out = column
    out.withUnsafeMutableBufferPointer { o in
      parent.withUnsafeBufferPointer { p in
        var i = o.count - 1
        while i >= 0 {
          let q = Int(p[i])
          if q >= 0 { o[q] += o[i] }
          i -= 1
        }
      }
    }
    return out
  }

  /// Whether node `i` exists in period `t`.
  @inlinable public func exists(_ i: Int, in t: Int) -> Bool {
    Int(validFrom[i]) <= t && t <= Int(validTo[i])
  }

  /// The nodes of level `k` that exist in period `t`, in index order.
  public func nodes(atLevel k: Int, in t: Int) -> [Int] {
    levelRange(k).filter { exists($0, in: t) }
  }
}

extension Forest {
  /// Builds the breadth-first forest from rows in file order. The rows must already be
  /// validated: parents exist, levels are consistent, no cycles.
  ///
  /// - Returns: the forest and `position[fileRow]`, each file row's node index.
  static func build(
    levelNames: [String], rows: OrgRows
  ) -> (Forest, [Int32]) {
    let n = rows.ids.count
    // Children of each file row, in file order (CSR over file rows).
    var childCount = [Int32](repeating: 0, count: n + 1)
    for r in 0..<n where rows.parent[r] >= 0 { childCount[Int(rows.parent[r])] += 1 }
    var start = [Int32](repeating: 0, count: n + 1)
    for r in 0..<n { start[r + 1] = start[r] + childCount[r] }
    var fill = start
    var kids = [Int32](repeating: 0, count: Int(start[n]))
    for r in 0..<n where rows.parent[r] >= 0 {
      let p = Int(rows.parent[r])
      kids[Int(fill[p])] = Int32(r)
      fill[p] += 1
    }
    // Breadth-first order: roots in file order, then children level by level.
    var order = [Int32]()
    order.reserveCapacity(n)
    for r in 0..<n where rows.parent[r] < 0 { order.append(Int32(r)) }
    var head = 0
    while head < order.count {
      let r = Int(order[head])
      head += 1
      order.append(contentsOf: kids[Int(start[r])..<Int(start[r + 1])])
    }
    precondition(order.count == n, "Forest.build: \(n - order.count) rows unreachable from a root")
    var position = [Int32](repeating: -1, count: n)
    for (i, r) in order.enumerated() { position[Int(r)] = Int32(i) }

    func permute<T>(_ a: [T]) -> [T] { order.map { a[Int($0)] } }
    let parent = order.map { rows.parent[Int($0)] < 0 ? Int32(-1) : position[Int(rows.parent[Int($0)])] }
    let level = permute(rows.level)
    var childStart = [Int32](repeating: 0, count: n + 1)
    // Children of node i start right after the children of all nodes before it, and the
    // first child of all is the first non-root node.
    var roots = 0
    while roots < n && parent[roots] < 0 { roots += 1 }
    childStart[0] = Int32(roots)
    for i in 0..<n { childStart[i + 1] = childStart[i] + childCount[Int(order[i])] }
    var levelStart = [Int](repeating: n, count: levelNames.count + 1)
    for i in stride(from: n - 1, through: 0, by: -1) { levelStart[Int(level[i])] = i }
    for k in stride(from: levelNames.count - 1, through: 0, by: -1) {
      levelStart[k] = min(levelStart[k], levelStart[k + 1])
    }
    let successor = order.map { rows.successor[Int($0)] < 0 ? Int32(-1) : position[Int(rows.successor[Int($0)])] }
    let ids = permute(rows.ids)
    let forest = Forest(
      levelNames: levelNames, ids: ids, names: permute(rows.names), parent: parent,
      level: level, childStart: childStart, levelStart: levelStart,
      validFrom: permute(rows.validFrom), validTo: permute(rows.validTo),
      baseMembers: permute(rows.members), partyAdminSplit: permute(rows.partyAdminSplit),
      disciplineStaff: permute(rows.disciplineStaff), successor: successor,
      sourceLine: permute(rows.line), lookup: IDTable(ids),
      jointOffice: rows.jointOffice.isEmpty ? [] : permute(rows.jointOffice))
    return (forest, position)
  }
}

/// org.csv's rows in file order, as read (parent and successor are file-row indices).
struct OrgRows {
  var ids: [String] = []
  var names: [String] = []
  var parent: [Int32] = []
  var level: [UInt8] = []
  var members: [Int32] = []
  var validFrom: [Int32] = []
  var validTo: [Int32] = []
  var partyAdminSplit: [Int8] = []
  var disciplineStaff: [Int32] = []
  /// Empty when org.csv has no `joint_office` column.
  var jointOffice: [Int8] = []
  var successor: [Int32] = []
  var line: [Int32] = []
}
