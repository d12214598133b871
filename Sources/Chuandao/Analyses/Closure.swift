/// The closed loop of the three lists (三张清单闭环): does every problem get an owner, a
/// project and a finish on time? METHODS.md section 5.
public struct ClosureAnalysis: Sendable {
  /// The as-of date, days since 1970-01-01.
  public var asOf: Int32

  public init(asOf: Int32) { self.asOf = asOf }

  public func run(_ d: Dataset, period t: Int) -> ClosureResult {
    let f = d.forest
    let problems = d.problems
    var owned = [Bool](repeating: false, count: problems.count)
    for r in d.responsibilities.problem { owned[Int(r)] = true }
    var projects = [[Int]](repeating: [], count: problems.count)
    for j in 0..<d.projects.count where d.projects.status[j] != .dropped {
      projects[Int(d.projects.problem[j])].append(j)
    }
    var counts = [ClosureResult.Counts](repeating: .init(), count: f.count)
    var breaks = ClosureResult.Breaks()
    for p in 0..<problems.count where Int(problems.period[p]) == t {
      let js = projects[p]
      let isDone = { (j: Int) -> Bool in
        d.projects.status[j] == .done && (d.projects.done[j].map { $0 <= self.asOf } ?? false)
      }
      let planned = !js.isEmpty
      let done = planned && js.allSatisfy(isDone)
      let onTime = done && js.allSatisfy { d.projects.done[$0]! <= d.projects.due[$0] }
      let overdue = js.contains { !isDone($0) && d.projects.due[$0] < asOf }
      let i = Int(problems.node[p])
      counts[i].problems += 1
      if owned[p] { counts[i].owned += 1 }
      if planned { counts[i].planned += 1 }
      if done { counts[i].done += 1 }
      if onTime { counts[i].onTime += 1 }
      if overdue { counts[i].overdue += 1 }
      if !owned[p] { breaks.unowned.append(p) }
      if owned[p] && !planned { breaks.unplanned.append(p) }
      if overdue { breaks.overdue.append(p) }
    }
    // Roll up: a node's figures include its subtree.
    let rolled = f.rollUp(counts)
    let nodes = (0..<f.count).filter { f.exists($0, in: t) }
    return ClosureResult(period: t, asOf: asOf, nodes: nodes, counts: nodes.map { rolled[$0] }, breaks: breaks)
  }

  /// The default as-of date: the period's `period_end`, or nil when the dataset has none.
  public static func defaultAsOf(_ d: Dataset, period t: Int) -> Int32? { d.manifest.periodEnd[t] }
}

public struct ClosureResult: Sendable {
  public struct Counts: Sendable, AdditiveArithmetic {
    public var problems = 0
    public var owned = 0
    public var planned = 0
    public var done = 0
    public var onTime = 0
    public var overdue = 0

    public init() {}
    public static var zero: Counts { Counts() }
    public static func + (a: Counts, b: Counts) -> Counts {
      var c = a
      c += b
      return c
    }
    public static func += (a: inout Counts, b: Counts) {
      a.problems += b.problems
      a.owned += b.owned
      a.planned += b.planned
      a.done += b.done
      a.onTime += b.onTime
      a.overdue += b.overdue
    }
    public static func - (a: Counts, b: Counts) -> Counts {
      var c = a
      c.problems -= b.problems
      c.owned -= b.owned
      c.planned -= b.planned
      c.done -= b.done
      c.onTime -= b.onTime
      c.overdue -= b.overdue
      return c
    }
    /// on_time / problems; nil with no problems.
    public var closureIndex: Double? { problems > 0 ? Double(onTime) / Double(problems) : nil }
  }
  public struct Breaks: Sendable {
    /// Row indices into the problem list.
    public var unowned: [Int] = []
    public var unplanned: [Int] = []
    public var overdue: [Int] = []
  }
  public let period: Int
  public let asOf: Int32
  /// Every node that exists in the period, and its subtree's counts.
  public let nodes: [Int]
  public let counts: [Counts]
  public let breaks: Breaks
}
