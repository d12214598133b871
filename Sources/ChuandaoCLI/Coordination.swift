import ArgumentParser
import Chuandao
import ChuandaoReport

struct Coordination: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("四责协同：各扫门前雪的节点和各层的协同程度。", "Four responsibilities together (四责协同): silo nodes and each level's coordination."),
    discussion: helpText(help("""
      对有两个以上责任主体评分的节点：各主体的均值和离散程度、协同指数 C = clamp(1 - sd/mean, 0, 1)、最弱的主体、它与均值的差距，以及差距 >= coordination.silo_gap（默认 10）时的“各扫门前雪”标记；各层的平均指数和主体之间的相关；党政分设与一肩挑的比较（docs/methods.md 第 4 节）。

      示例：
        chuandao coordination datasets/sample
        chuandao coordination datasets/sample --lang en --format json
      """, """
      Per node with two or more subject scores: the subjects' mean and spread, the
      coordination index C = clamp(1 - sd/mean, 0, 1), the weakest subject, its gap to the
      mean and the silo flag (gap >= coordination.silo_gap, default 10); per level the mean
      index and the subjects' correlations; Party/administrative split against joint
      (docs/methods.md section 4).

      Examples:
        chuandao coordination datasets/sample
        chuandao coordination datasets/sample --lang en --format json
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    try requireFile("scores.csv", in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let result = CoordinationAnalysis(siloGap: settings.coordination.siloGap).run(data, period: t)
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang))
    }
  }
}

struct Closure: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("三张清单闭环：责任人、项目、按时完成。", "Closed loop of the three lists (三张清单闭环): owners, projects, finishes on time."),
    discussion: helpText(help("""
      对一期和一个截至日期（默认该期的 period_end），每个节点及其下级中：有责任人、有项目、已完成、按时完成和逾期的问题数，闭环指数，以及链条中断之处（docs/methods.md 第 5 节）。

      示例：
        chuandao closure datasets/sample
        chuandao closure datasets/sample --period 2024 --as-of 2025-03-31 --lang en
      """, """
      For a period and an as-of date (default: the period's period_end), per node and its
      subtree the problems that are owned, planned, done, done on time and overdue, the
      closure index, and the breaks in the chain (docs/methods.md section 5).

      Examples:
        chuandao closure datasets/sample
        chuandao closure datasets/sample --period 2024 --as-of 2025-03-31 --lang en
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @Option(name: .customLong("as-of"), help: optionHelp("截至日期 YYYY-MM-DD（默认该期的 period_end）。", "The as-of date, YYYY-MM-DD (default: the period's period_end)."))
  var asOf: String?

  func validate() throws {
    if let asOf, ISODate.parse(asOf) == nil {
      throw ValidationError("--as-of '\(asOf)' is not a date YYYY-MM-DD")
    }
  }

  func run() throws {
    let lang = options.lang
    let (_, data, digests) = try options.load(dataset)
    try requireFile("problems.csv", in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    guard let day = asOf.flatMap(ISODate.parse) ?? ClosureAnalysis.defaultAsOf(data, period: t) else {
      printError(lang.pick(
        "错误：\(data.manifest.periods[t]) 期在 dataset.yaml 中没有 period_end；请用 --as-of YYYY-MM-DD 给出截止日期",
        "error: period \(data.manifest.periods[t]) has no period_end in dataset.yaml; give the date with --as-of YYYY-MM-DD"))
      throw ExitCode(1)
    }
    let result = ClosureAnalysis(asOf: day).run(data, period: t)
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang), extraTables: [("breaks", result.breakRows(data))])
    }
  }
}
