import ArgumentParser
import Chuandao
import ChuandaoReport

struct Attenuation: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("落差：指标逐层保留多少、在哪里衰减。", "Vertical drop (落差): how much of a metric survives each level, and where it fades."),
    discussion: helpText(help("""
      每一层级的传导率 tau（各上级下属与其比值的几何平均，按上级计算）及上级层面的 95% t 区间；末端保留率；每个顶层单位的同样结果；按 z 标记衰减或放大的节点；以及最底层的 REML 方差分量（docs/methods.md 第 2 节）。

      数据集有 member_reach.csv 时，阶梯延伸到党员：最底层 → 党员一步，即各最底层组织的党员覆盖率（覆盖人数 / 应覆盖人数）与其自身得分之比，区间方法相同（docs/methods/member-reach.md；只对得分指标）。

      被标记的上下级关系旁会给出纯属偶然会出现多少条（关系数乘以 flag_z 之外的正态尾概率：|z| >= 2 时每侧 2.3%）；--fdr Q 统计 Benjamini-Hochberg q 值不超过 Q 的关系（q 值见 JSON）。

      示例：
        chuandao attenuation datasets/sample
        chuandao attenuation datasets/sample --metric score.commission --lang en
        chuandao attenuation datasets/sample --metric intensity --format json
        chuandao attenuation datasets/sample --format csv --out nodes.csv
      """, """
      For each level step, the transmission tau (the geometric mean over parents of their
      children's ratio to them) with its parent-level 95% t-interval; end retention; the
      same per top-level group; nodes flagged attenuated or amplified by z; and the REML
      variance components of the bottom level (docs/methods.md section 2).

      The flagged edges come with how many chance alone would give (the edges times the
      normal tail beyond flag_z: 2.3% each side at |z| >= 2); --fdr Q counts the edges whose
      Benjamini-Hochberg q-value is at most Q (the q-values are in the JSON).

      With member_reach.csv the ladder ends at the member: one more step, lowest level ->
      member, the share of its members a lowest-level organisation reaches (reached over
      eligible) against its own score, with the same interval method
      (docs/methods/member-reach.md; score metrics only).

      Examples:
        chuandao attenuation datasets/sample
        chuandao attenuation datasets/sample --metric score.commission --lang en
        chuandao attenuation datasets/sample --metric intensity --format json
        chuandao attenuation datasets/sample --format csv --out nodes.csv
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @OptionGroup var metric: MetricOption
  @OptionGroup var fdr: FDROption

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    let m = try metric.resolve(in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let result = AttenuationAnalysis(metric: m, flagZ: settings.attenuation.flagZ, fdr: fdr.fdr).run(data, period: t)
    if !result.excluded.isEmpty {
      let f = data.forest
      let shown = result.excluded.prefix(20).map { lang.pick("\(f.ids[$0])（\(f.names[$0])）", "\(f.ids[$0]) (\(f.names[$0]))") }.joined(separator: ", ")
      let more = result.excluded.count > 20 ? lang.pick(" 等", ", ...") : ""
      printError(lang.pick(
        "注：\(result.excluded.count) 个节点本身或上级的 \(m) 为 0 或缺失，没有比值：\(shown)\(more)",
        "note: \(result.excluded.count == 1 ? "1 node has" : "\(result.excluded.count) nodes have") no ratio (\(m) zero or missing, its own or its parent's): \(shown)\(more)"))
    }
    if data.hasMemberReach && result.member == nil && m == .intensity {
      printError(lang.pick(
        "注：党员覆盖（member_reach.csv）只与得分指标比较；指标 intensity 没有最底层 → 党员一步",
        "note: member reach (member_reach.csv) is compared with score metrics only; metric intensity has no step to the member"))
    }
    if let problem = result.variance.problem {
      printError(lang.pick("注：方差分量无法估计：\(problem)", "note: variance components not estimable: \(problem)"))
    }
    let annotate = try overrides(.attenuation, period: data.manifest.periods[t], data: data, lang: lang)
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      annotate(CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang)))
    }
  }
}
