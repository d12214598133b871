import ArgumentParser
import Chuandao
import ChuandaoReport

struct Attenuation: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Vertical drop (落差): how much of a metric survives each level, and where it fades.",
    discussion: helpText("""
      For each level step, the transmission tau (the geometric mean over parents of their
      children's ratio to them) with its parent-level 95% t-interval; end retention; the
      same per top-level group; nodes flagged attenuated or amplified by z; and the REML
      variance components of the bottom level (docs/methods.md section 2).

      The flagged edges come with how many chance alone would give (the edges times the
      normal tail beyond flag_z: 2.3% each side at |z| >= 2); --fdr Q counts the edges whose
      Benjamini-Hochberg q-value is at most Q (the q-values are in the JSON).

      Examples:
        chuandao attenuation datasets/sample
        chuandao attenuation datasets/sample --metric score.commission --lang en
        chuandao attenuation datasets/sample --metric intensity --format json
        chuandao attenuation datasets/sample --format csv --out nodes.csv
      """))

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
    if let problem = result.variance.problem {
      printError(lang.pick("注：方差分量无法估计：\(problem)", "note: variance components not estimable: \(problem)"))
    }
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang))
    }
  }
}
