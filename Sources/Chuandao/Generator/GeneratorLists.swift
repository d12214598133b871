import ChuandaoStats

extension GenerationState {
  static let domainWords = ["财务", "工程", "人事", "资产", "采购", "其他"]
  static let sourceWords = ["审计", "专项检查", "廉政风险排摸", "信访", "自查"]

  /// The three lists for the bureau's units (level 1), with planted breaks.
  ///
  /// Outcomes, by a uniform draw per problem: 8% no owner (unowned); 8% an owner but no
  /// project, or only dropped ones (unplanned); 10% an open project past due (overdue);
  /// 10% done after its due date (late); 6% done on time beside a dropped project; 8% open
  /// and not yet due; 8% done on time by two projects; the rest done on time.
  mutating func generateLists<Sink: GeneratorSink>(
    bureau b: Int, nodes: [GenNode], rng: inout RandomSource, sink: inout Sink
  ) {
    let T = spec.periods
    for t in 0..<T {
      guard let year = Int(manifest.periods[t]) else { continue }
      func day(_ m: Int, _ d: Int, yearOffset: Int = 0) -> Int32 {
        ISODate.parse("\(year + yearOffset)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)")!
      }
      for n in nodes where n.level == 1 && n.validFrom <= t && t <= n.validTo {
        let count = rng.poisson(mean: 1.5)
        for _ in 0..<count {
          problemCounter += 1
          let pid = "P\(manifest.periods[t])-\(problemCounter)"
          let domain = rng.int(below: manifest.domains.count)
          let source = rng.int(below: GenerationState.sources.count)
          var description = "\(n.name)：\(GenerationState.domainWords[domain % 6])领域问题（来源：\(GenerationState.sourceWords[source])）"
          if problemCounter == 3 { description += "，涉及报销、审批\n两个环节" }
          sink.problem(period: t, id: pid, node: n.id, domain: domain,
                       source: GenerationState.sources[source], description: description)
          let u = rng.uniform()
          if u < 0.08 {
            truth.lists[t].unowned.append(pid)
            continue
          }
          sink.responsibility(problem: pid, subject: rng.int(below: manifest.subjects.count), person: "E\(problemCounter)")
          func project(due: Int32, done: Int32?, status: ProjectStatus) -> String {
            projectCounter += 1
            let jid = "J\(projectCounter)"
            sink.project(problem: pid, id: jid, goal: "整改落实，建立长效机制", due: due, done: done, status: status)
            return jid
          }
          let due = day(4 + rng.int(below: 8), 10 + rng.int(below: 19))
          switch u {
          case ..<0.16:
            truth.lists[t].unplanned.append(pid)
            if rng.bernoulli(0.5) {
              truth.lists[t].droppedProjects.append(project(due: due, done: nil, status: .dropped))
            }
          case ..<0.26:
            _ = project(due: day(3 + rng.int(below: 9), 1 + rng.int(below: 28)), done: nil, status: .open)
            truth.lists[t].overdue.append(pid)
          case ..<0.36:
            let d = day(3 + rng.int(below: 7), 15)
            _ = project(due: d, done: d + 10 + Int32(rng.int(below: 50)), status: .done)
            truth.lists[t].late.append(pid)
          case ..<0.42:
            _ = project(due: due, done: due - Int32(rng.int(below: 30)), status: .done)
            truth.lists[t].droppedProjects.append(project(due: due, done: nil, status: .dropped))
            truth.lists[t].onTime.append(pid)
          case ..<0.50:
            _ = project(due: day(2, 1 + rng.int(below: 27), yearOffset: 1), done: nil, status: .open)
            truth.lists[t].openNotDue.append(pid)
          case ..<0.58:
            _ = project(due: due, done: due - Int32(rng.int(below: 30)), status: .done)
            _ = project(due: due, done: due - Int32(rng.int(below: 30)), status: .done)
            truth.lists[t].onTime.append(pid)
          default:
            _ = project(due: due, done: due - Int32(rng.int(below: 40)), status: .done)
            truth.lists[t].onTime.append(pid)
          }
        }
      }
    }
  }

  /// Each bureau's leading team per period: the secretary, the discipline commission's
  /// head, the administrative head and two members, who oversee the units between them.
  mutating func generateLeaders<Sink: GeneratorSink>(
    bureau b: Int, nodes: [GenNode], rng: inout RandomSource, sink: inout Sink,
    remit: Remit, extra: inout RandomSource
  ) {
    let bureau = nodes[0]
    for t in 0..<spec.periods {
      let unitIndices = nodes.indices.filter { nodes[$0].level == 1 && nodes[$0].validFrom <= t && t <= nodes[$0].validTo }
      let units = unitIndices.map { nodes[$0].id }
      let half = (units.count + 1) / 2
      let team: [(String, String, LeaderRole, [String])] = [
        ("1", "党委书记", .secretary, []),
        ("2", "纪委书记", .commissionHead, []),
        ("3", "行政负责人", .adminHead, Array(units.prefix(half))),
        ("4", "班子成员甲", .member, Array(units.prefix(half))),
        ("5", "班子成员乙", .member, Array(units.dropFirst(half))),
      ]
      for (k, title, role, oversees) in team {
        let person = "\(bureau.id)-L\(k)"
        let overseen = unitIndices.filter { oversees.contains(nodes[$0].id) }
        let domains = overseen.isEmpty ? [] : remit.choose(units: overseen, period: t, rng: &extra)
        sink.leader(period: t, person: person, name: "\(bureau.name)\(title)", node: bureau.id, role: role, oversees: oversees, domains: domains)
        truth.leaders.append((t, person, bureau.id, oversees))
      }
    }
  }
}

/// Which risk domains a leader is in charge of (issue 17, docs/generator.md): 1 to
/// `Plant.maxRemit` of them; planted, the domains in which the overseen units' supervision
/// in the period stood highest against its generating mean (so that supervision is weaker
/// outside remits), else at random.
struct Remit {
  /// Per (node, period, domain): the realised count and its generating mean.
  let realised: [Double]
  let mean: [Double]
  let periods: Int
  let domains: Int
  let planted: Bool

  func choose(units: [Int], period t: Int, rng: inout RandomSource) -> [Int] {
    let k = 1 + rng.int(below: Plant.maxRemit)
    var score = [Double](repeating: 0, count: domains)
    if planted {
      for d in 0..<domains {
        var o = 0.0
        var e = 0.0
        for i in units {
          o += realised[(i * periods + t) * domains + d]
          e += mean[(i * periods + t) * domains + d]
        }
        score[d] = e > 0 ? o / e : 0
      }
    } else {
      for d in 0..<domains { score[d] = rng.uniform() }
    }
    // Highest first; ties by domain order.
    let order = (0..<domains).sorted { (score[$0], -$0) > (score[$1], -$1) }
    return order.prefix(k).sorted()
  }
}
