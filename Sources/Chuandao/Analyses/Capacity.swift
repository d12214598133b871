import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation

/// Discipline staff stretched thin (合署办公, 身兼数职; issue 17 part 1): per level, staff
/// per 100 members and the joint-office share; whether supervision rises with capacity (a
/// Poisson regression of the counts on log2 staff per member and joint office, members and
/// risk as in `imbalance`, intervals clustered by parent); and how many of the nodes
/// `imbalance` flags cold are short of staff. The method and its choices are in
/// docs/methods/capacity.md.
public struct CapacityAnalysis: Sendable {
  public var adjust: ImbalanceAnalysis.Adjustment
  /// For the cold flags (`imbalance` on each level with the same adjustment).
  public var settings: Settings.Imbalance

  public init(adjust: ImbalanceAnalysis.Adjustment, settings: Settings.Imbalance = .init()) {
    self.adjust = adjust
    self.settings = settings
  }

  public func run(_ d: Dataset, period t: Int) throws -> CapacityResult {
    guard d.periods[t].supervision != nil else { throw ImbalanceError.noSupervision }
    if adjust == .risk && d.periods[t].risk == nil { throw ImbalanceError.noRisks }
    let levels = (0..<d.forest.levelCount).map { level($0, d, t) }
    return CapacityResult(period: t, adjust: adjust, levels: levels)
  }

  func level(_ k: Int, _ d: Dataset, _ t: Int) -> CapacityResult.Level {
    let f = d.forest
    let p = d.periods[t]
    let nodes = f.levelRange(k).filter { f.exists($0, in: t) && p.members[$0] > 0 }
    var out = CapacityResult.Level(level: k, nodes: nodes.count)
    guard !nodes.isEmpty else { return out }
    let staffKnown = nodes.filter { f.disciplineStaff[$0] >= 0 }
    let jointKnown = nodes.filter { f.isJointOffice($0) != nil }
    out.staffKnown = staffKnown.count
    out.zeroStaff = staffKnown.filter { f.disciplineStaff[$0] == 0 }.count
    out.jointKnown = jointKnown.count
    if !staffKnown.isEmpty {
      let staff = staffKnown.reduce(0.0) { $0 + Double(f.disciplineStaff[$1]) }
      let members = staffKnown.reduce(0.0) { $0 + Double(p.members[$1]) }
      out.staffPer100 = 100 * staff / members
      let per100 = staffKnown.map { 100 * Double(f.disciplineStaff[$0]) / Double(p.members[$0]) }
      let m = median(per100)
      out.medianStaffPer100 = m
      out.short = Set(staffKnown.filter { i in
        let v = 100 * Double(f.disciplineStaff[i]) / Double(p.members[i])
        return f.disciplineStaff[i] == 0 || (v < m && !Ties.equal(v, m))
      })
    }
    if !jointKnown.isEmpty {
      out.jointShare = Double(jointKnown.filter { f.isJointOffice($0) == true }.count) / Double(jointKnown.count)
    }
    regress(&out, nodes: nodes, d, t)
    coldAndShort(&out, d, t)
    return out
  }

  /// The Poisson regression with cluster-robust intervals (docs/methods/capacity.md).
  func regress(_ out: inout CapacityResult.Level, nodes: [Int], _ d: Dataset, _ t: Int) {
    let f = d.forest
    let p = d.periods[t]
    let (K, D) = (d.manifest.kinds.count, d.manifest.domains.count)
    let supervision = p.supervision!
    let staffTerm = out.staffKnown > 0
    let jointTerm = out.jointKnown > 0
    guard staffTerm || jointTerm else {
      out.notes.append(LocalizedText(
        zh: "该层没有 discipline_staff 或 joint_office 的值，无法回归",
        en: "no discipline_staff or joint_office values at this level: no regression"))
      return
    }
    let fitNodes = nodes.filter { (!staffTerm || f.disciplineStaff[$0] >= 0) && (!jointTerm || f.isJointOffice($0) != nil) }
    if fitNodes.count < nodes.count {
      out.notes.append(LocalizedText(
        zh: "\(nodes.count - fitNodes.count) 个节点缺少 discipline_staff 或 joint_office，不纳入回归",
        en: "\(nodes.count - fitNodes.count) node(s) without discipline_staff or joint_office left out of the regression"))
    }
    out.fitted = fitNodes.count
    // Staff: log2(staff / members) centred over the staffed nodes, 0 for zero staff, which
    // have an indicator of their own.
    let staffed = staffTerm ? fitNodes.filter { f.disciplineStaff[$0] > 0 } : []
    let unstaffed = staffTerm ? fitNodes.filter { f.disciplineStaff[$0] == 0 } : []
    var log2Staff = [Double](repeating: 0, count: f.count)
    for i in staffed { log2Staff[i] = Foundation.log2(Double(f.disciplineStaff[i]) / Double(p.members[i])) }
    let centre = staffed.isEmpty ? 0 : staffed.reduce(0.0) { $0 + log2Staff[$1] } / Double(staffed.count)
    for i in staffed { log2Staff[i] -= centre }
    let slope = staffed.count >= 2 && staffed.contains { !Ties.equal(log2Staff[$0], log2Staff[staffed[0]]) }
    let indicator = !staffed.isEmpty && !unstaffed.isEmpty
    let joint = jointTerm && fitNodes.contains { f.isJointOffice($0) == true } && fitNodes.contains { f.isJointOffice($0) == false }
    if staffTerm && !slope {
      out.notes.append(LocalizedText(
        zh: "配备纪检干部的节点不足两个或人均配备相同：人员系数无法识别",
        en: "fewer than two staffed nodes, or all with the same staff per member: the staff coefficient is not identified"))
    }
    if jointTerm && !joint {
      out.notes.append(LocalizedText(
        zh: "joint_office 在纳入回归的节点中只有一种取值：合署办公系数无法识别",
        en: "joint_office takes one value only among the nodes fitted: its coefficient is not identified"))
    }
    guard slope || indicator || joint else { return }

    // Rows: one per node (members only), or one per (node, domain with supervision) with a
    // dummy per domain and the risk weight, as `imbalance --adjust risk`.
    var byDomain = [Double](repeating: 0, count: fitNodes.count * D)
    for (r, i) in fitNodes.enumerated() {
      for k in 0..<K { for dd in 0..<D { byDomain[r * D + dd] += Double(supervision[(i * K + k) * D + dd]) } }
    }
    guard byDomain.contains(where: { $0 > 0 }) else {
      out.notes.append(LocalizedText(
        zh: "该层在本期没有任何督查记录，无法回归", en: "no supervision at all at this level in the period: no regression"))
      return
    }
    var kept = [0]
    var withRisk = false
    if adjust == .risk, let risk = p.risk {
      kept = (0..<D).filter { dd in (0..<fitNodes.count).contains { byDomain[$0 * D + dd] > 0 } }
      withRisk = kept.contains { dd in fitNodes.contains { !Ties.equal(risk[$0 * D + dd], risk[fitNodes[0] * D + dd]) } }
    }
    // Clusters: the parent (a top-level node is its own cluster).
    let (clusterIDs, clusterCount) = f.parentClusters(fitNodes)
    var group: [Int32] = []
    var cluster: [Int32] = []
    var y: [Double] = []
    var offset: [Double] = []
    var covariates: [[Double]] = Array(repeating: [], count: (withRisk ? 1 : 0) + (slope ? 1 : 0) + (indicator ? 1 : 0) + (joint ? 1 : 0))
    for (r, i) in fitNodes.enumerated() {
      let g = clusterIDs[r]
      for (j, dd) in kept.enumerated() {
        group.append(Int32(j))
        cluster.append(g)
        offset.append(Foundation.log(Double(p.members[i])))
        y.append(adjust == .risk && p.risk != nil ? byDomain[r * D + dd] : (0..<D).reduce(0.0) { $0 + byDomain[r * D + $1] })
        var c = 0
        if withRisk { covariates[c].append(p.risk![i * D + dd]); c += 1 }
        if slope { covariates[c].append(log2Staff[i]); c += 1 }
        if indicator { covariates[c].append(f.disciplineStaff[i] == 0 ? 1 : 0); c += 1 }
        if joint { covariates[c].append(f.isJointOffice(i) == true ? 1 : 0) }
      }
    }
    out.clusters = clusterCount
    let design = FactorDesign(group: group, levels: kept.count, covariates: covariates)
    let fit: PoissonRegression.Fit
    do {
      fit = try PoissonRegression().fit(design: design, y: y, offset: offset)
    } catch {
      out.notes.append(LocalizedText(zh: "泊松回归无法拟合：\(error)", en: "the Poisson regression could not be fitted: \(error)"))
      return
    }
    if !fit.converged {
      out.notes.append(LocalizedText(
        zh: "泊松回归在 \(fit.iterations) 次迭代内未收敛", en: "the Poisson regression did not converge in \(fit.iterations) iterations"))
    }
    let v = ClusterRobust.covariance(design: design, y: y, fitted: fit.fitted, cluster: cluster, clusters: clusterCount)
    if v == nil {
      out.notes.append(LocalizedText(
        zh: "聚类数少于 2 或观测过少：没有稳健区间", en: "fewer than two clusters or too few rows: no robust intervals"))
    } else if clusterCount < CapacityResult.fewClusters {
      out.notes.append(LocalizedText(
        zh: "只有 \(clusterCount) 个聚类：聚类稳健区间偏窄，仅供参考",
        en: "only \(clusterCount) clusters: the cluster-robust intervals are too narrow, read them with care"))
    }
    func ratio(_ j: Int) -> CapacityResult.RateRatio {
      let r = ClusterRobust.rateRatio(fit.coefficients[j], variance: v?[j, j])
      return .init(estimate: r.estimate, lower: r.lower, upper: r.upper)
    }
    var j = kept.count + (withRisk ? 1 : 0)
    if slope { out.staff = ratio(j); j += 1 }
    if indicator { out.noStaff = ratio(j); j += 1 }
    if joint { out.joint = ratio(j) }
    out.riskAdjusted = withRisk
  }

  /// Among the level's cold nodes (`imbalance`, same adjustment), those short of staff.
  func coldAndShort(_ out: inout CapacityResult.Level, _ d: Dataset, _ t: Int) {
    var analysis = ImbalanceAnalysis(level: out.level, adjust: adjust, settings: settings)
    analysis.testsNodes = false
    analysis.limitsForNodes = false
    guard let result = try? analysis.run(d, period: t) else { return }
    let cold = result.nodes.indices.filter { result.funnel.flags[$0] == .cold }.map { result.nodes[$0] }
    out.cold = cold
    out.coldStaffKnown = cold.filter { d.forest.disciplineStaff[$0] >= 0 }.count
    out.coldShort = cold.filter { out.short.contains($0) }
  }
}

/// What `CapacityAnalysis` found, per level.
public struct CapacityResult: Sendable {
  /// Fewer clusters than this get a note (Cameron & Miller 2015: with fewer than about 30
  /// to 50 clusters the cluster-robust variance is biased down).
  public static let fewClusters = 30

  public struct RateRatio: Sendable, Equatable {
    public var estimate: Double
    public var lower: Double?
    public var upper: Double?

    /// Whether the 95% interval lies wholly below or above 1.
    public var excludesOne: Bool {
      guard let lower, let upper else { return false }
      return upper < 1 || lower > 1
    }
  }

  public struct Level: Sendable {
    public var level: Int
    /// Nodes of the level that exist in the period with members > 0.
    public var nodes: Int
    public var staffKnown = 0
    public var zeroStaff = 0
    public var jointKnown = 0
    /// 100 x staff / members over the nodes with a staff value (pooled).
    public var staffPer100: Double? = nil
    /// The median of the nodes' staff per 100 members: below it (or with no staff) is short.
    public var medianStaffPer100: Double? = nil
    public var jointShare: Double? = nil
    /// Nodes short of staff.
    public var short: Set<Int> = []
    /// Nodes in the regression, and their clusters.
    public var fitted = 0
    public var clusters = 0
    public var riskAdjusted = false
    /// Per doubling of staff per member (staffed nodes); no staff against a staffed node at
    /// the level's mean log2 staff per member; joint office against not.
    public var staff: RateRatio? = nil
    public var noStaff: RateRatio? = nil
    public var joint: RateRatio? = nil
    /// The level's cold nodes (nil when `imbalance` could not run), those with a staff
    /// value, and those short of staff.
    public var cold: [Int]? = nil
    public var coldStaffKnown = 0
    public var coldShort: [Int] = []
    public var notes: [LocalizedText] = []

    public init(level: Int, nodes: Int) {
      self.level = level
      self.nodes = nodes
    }

    /// The share of the level's nodes with a staff value that are short: what the cold
    /// nodes' share is compared with.
    public var shortShare: Double? { staffKnown > 0 ? Double(short.count) / Double(staffKnown) : nil }
  }

  public let period: Int
  public let adjust: ImbalanceAnalysis.Adjustment
  public let levels: [Level]
}
