import ArgumentParser
import Chuandao
import ChuandaoReport
import ChuandaoStore
import Foundation
import _ChuandaoOutput
import _ChuandaoXLSX

struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("写出完整报告：Markdown、HTML、SVG 图表、results.json 和 report.xlsx。", "Write the full report: Markdown, HTML, SVG charts, results.json and report.xlsx."),
    discussion: helpText(help("""
      对一期运行数据集支持的每项分析（落差；最顶层以下每一层的温差，默认调整方式；四责协同；有 problems.csv 和 period_end 时的三张清单闭环；逐期变化；年度考核；有上期时与上期比较），按分析人员阅读的顺序写出一份报告：DIR/report.md、DIR/report.html（单个自包含文件，可打印为 A4）、DIR/results.json（各命令的 JSON 及出处）、DIR/report.xlsx（每张表一个工作表，数值为数字，另有出处工作表）和 DIR/charts/*.svg。缺少某项输入时，该节只用一句话说明原因。文件原子写入；DIR 不存在时创建（其上级须已存在）。结束时在标准输出打印 report.html 的路径。见 docs/report.md。

      示例：
        chuandao report datasets/sample --out /tmp/report
        chuandao report datasets/sample --out /tmp/report-en --lang en
        chuandao report datasets/sample --out /tmp/report-2024 --period 2024 --config settings.yaml
      """, """
      Runs every analysis the dataset supports for one period (vertical drop; cold and hot
      at every level below the top, with the default adjustment; coordination; the closed
      loop of the three lists when there are problems.csv and a period_end; trends;
      assessment; the comparison with the previous period when there is one) and writes one
      report in the order an analyst reads: DIR/report.md, DIR/report.html (one
      self-contained file that prints on A4), DIR/results.json (each command's JSON with
      its provenance), DIR/report.xlsx (one sheet per table, numbers as numbers, and the
      provenance on a sheet of its own) and DIR/charts/*.svg. A missing input leaves its section out with one
      sentence saying why. Files are written atomically; DIR is made when missing (its
      parent must exist). Prints the path of report.html at the end. See docs/report.md.

      Examples:
        chuandao report datasets/sample --out /tmp/report
        chuandao report datasets/sample --out /tmp/report-en --lang en
        chuandao report datasets/sample --out /tmp/report-2024 --period 2024 --config settings.yaml
      """)))

  @OptionGroup var dataset: DatasetArgument

  @OptionGroup var cache: CacheOptions

  @Option(help: optionHelp("输出文件夹（不存在时创建，其上级须已存在）。", "Output folder (made when missing; its parent must exist)."))
  var out: String

  @Option(help: optionHelp("要报告的期（默认最近一期）。", "Period label to report (default: the latest period)."))
  var period: String?

  @Option(help: optionHelp("报告和消息的语言：zh 或 en。", "Language of the report and messages: zh or en."))
  var lang: Language = .zh

  @Option(help: optionHelp("设置文件（YAML，见 docs/methods.md 第 8 节）；给出的键覆盖默认值。", "Settings file (YAML, docs/methods.md section 8); keys given override the defaults."))
  var config: String?

  @Flag(help: optionHelp("即使 DIR 中的报告已是最新（数据集、设置、命令与程序均未变，报告文件也未改动）也重新生成；--no-cache 亦同。见 docs/report.md。", "Make the report again even when the one in DIR is up to date (the same dataset, settings, command and program, and its files untouched); so does --no-cache. See docs/report.md."))
  var force = false

  @Flag(help: optionHelp("结束时在标准错误打印各阶段用时（读取、分析、结果 JSON、图表、文档、写文件），见 docs/report.md。", "Print at the end, on standard error, where the time went (load, analyses, results JSON, charts, documents, writing); see docs/report.md."))
  var timings = false

  func run() throws {
    let start = ContinuousClock.now
    var clock = ReportTimings()
    let (settings, data, digests) = try clock.measure(.load) {
      let settings = try loadSettings(config, lang: lang)
      let (data, digests) = try loadDataset(dataset, config: config, lang: lang, noCache: cache.noCache, rehash: cache.rehash)
      return (settings, data, digests)
    }
    let t = try resolvePeriod(period, in: data, lang: lang)
    if AssessAnalysis(settings: settings.assess).unknownGoalpostLevels(data).count > 0 {
      printError(lang.pick("注：assess.goalposts 中有数据集没有的层级，年度考核一节略去", "note: assess.goalposts names a level the dataset does not have; the assessment section is left out"))
    }
    var provenance = Provenance(digests: digests, command: commandLine, period: data.manifest.periods[t])
    provenance.store = StoreSession.current?.composed.provenance
    let folder = out.hasSuffix("/") && out.count > 1 ? String(out.dropLast()) : out
    let overrides = try periodOverrides(data.manifest.periods[t], lang: lang)
    // Again on unchanged inputs: the folder's report stands when everything it was made
    // from is as it was (docs/report.md). Its stamp goes before anything is rewritten.
    let key = stampKey(digests: digests, period: data.manifest.periods[t], store: provenance.store, overrides: overrides)
    if !force && !cache.noCache && ReportStamp.isCurrent(folder: folder, key: key) {
      printError(lang.pick(
        "报告已是最新：数据集、设置、命令与程序均未变，报告文件也未改动（\(folder)/\(ReportStamp.fileName)）；加 --force 可重新生成",
        "the report is up to date: the dataset, settings, command and program are unchanged, and so are its files (\(folder)/\(ReportStamp.fileName)); --force makes it again"))
      printOut(folder + "/report.html\n")
      if timings { printError(lang.pick("合计 \(String(format: "%.2f", (ContinuousClock.now - start).seconds)) 秒（未重新分析）", "total \(String(format: "%.2f", (ContinuousClock.now - start).seconds)) s (nothing analysed again)") + "\n") }
      return
    }
    try? FileManager.default.removeItem(atPath: folder + "/" + ReportStamp.fileName)
    try makeFolder(folder, lang: lang)
    try makeFolder(folder + "/charts", lang: lang)
    let protecting = Provenance.protectedPaths(dataset: dataset.dataset, configPath: config)

    // results.json is made and written member by member on a queue of its own while the
    // analyses go on: a province's is 800 MB, never whole in memory, and only what is left
    // of it when the last analysis ends is waited for.
    let results = try outputCheck(folder + "/results.json") { () throws(OutputError) in
      try ResultsFile(path: folder + "/results.json", protecting: protecting)
    }
    try outputCheck(folder + "/report.xlsx") { () throws(OutputError) in try results.startWorkbook() }
    let report = ReportBuilder(
      dataset: data, settings: settings, period: t, lang: lang, provenance: provenance,
      settingsLine: settingsLine(config, digest: digests.config, lang: lang)
    ).build(results: results.receive)
    clock.add(report.timings)
    var markdown = report.markdown
    var html = report.html
    if let list = overrides, !list.isEmpty {
      // The period's overrides, before the methods appendix (docs/store.md, "Overrides").
      let (title, body) = overridesSection(list, period: data.manifest.periods[t], data: data, lang: lang)
      let md = "## \(title)\n\n" + MarkdownRenderer().render(Document([body])) + "\n"
      if let r = markdown.range(of: "\n## ", options: .backwards) { markdown.insert(contentsOf: "\n" + md, at: markdown.index(after: r.lowerBound)) } else { markdown += "\n" + md }
      let fragment = "<h2>\(htmlEscape(title))</h2>\n" + HTMLRenderer().render(Document([body])) + "\n"
      if let r = html.range(of: "<h2>", options: .backwards) { html.insert(contentsOf: fragment, at: r.lowerBound) }
      results.receive("overrides") { ["period": .string(data.manifest.periods[t]), "overrides": .array(list.map(overrideJSON))] }
    }

    let names = Set(report.charts.map(\.name))
    // Charts of an earlier run that this one does not make would be linked from nowhere.
    if let old = try? FileManager.default.contentsOfDirectory(atPath: folder + "/charts") {
      for file in old where file.hasSuffix(".svg") && !names.contains(file) {
        try? FileManager.default.removeItem(atPath: folder + "/charts/" + file)
      }
    }
    try clock.measure(.writing) {
      // results.json first: until it is committed its temporary is open.
      try outputCheck(folder + "/results.json") { () throws(OutputError) in try results.commit() }
      try outputCheck(folder + "/report.xlsx") { () throws(OutputError) in
        try results.writeWorkbook(to: folder + "/report.xlsx", provenance: provenance.json.objectValue ?? JSONObject(), protecting: protecting)
      }
      for chart in report.charts {
        try write(Array(chart.svg.utf8), to: "\(folder)/charts/\(chart.name)", protecting: protecting, lang: lang)
      }
      try write(Array(markdown.utf8), to: folder + "/report.md", protecting: protecting, lang: lang)
      try write(Array(html.utf8), to: folder + "/report.html", protecting: protecting, lang: lang)
      let written = ["results.json", "report.xlsx"] + report.charts.map { "charts/" + $0.name } + ["report.md", "report.html"]
      if let stamp = ReportStamp.make(key: key, folder: folder, paths: written) {
        try write(stamp.bytes(), to: folder + "/" + ReportStamp.fileName, protecting: protecting, lang: lang)
      }
    }
    printOut(folder + "/report.html\n")
    if timings { printError(timingsTable(clock, total: .now - start, results: results)) }
  }

  /// The stamp key of this run (`ReportStamp.key`): the inputs' and settings' digests, the
  /// working folder and command line (which results.json's provenance records), the period
  /// and language, and the store's revisions and overrides when reading a store.
  func stampKey(digests: InputDigests, period: String, store: JSON?, overrides: [Override]?) -> String {
    var parts = digests.inputs.map { "input \($0.file) \($0.sha256)" }
    parts.append("config \(digests.config ?? "-")")
    parts.append("cwd \(FileManager.default.currentDirectoryPath)")
    parts.append("command \(commandLine)")
    parts.append("period \(period)")
    parts.append("lang \(lang.rawValue)")
    if let store { parts.append("store " + JSONWriter(pretty: false).string(store)) }
    if let overrides { parts.append("overrides " + JSONWriter(pretty: false).string(.array(overrides.map(overrideJSON)))) }
    return ReportStamp.key(parts: parts, environment: ProcessInfo.processInfo.environment)
  }

  /// The analyses of `--timings`, by the report's names for them.
  static let analysisNames: [String: (String, String)] = [
    "summary": ("概况", "summary"), "flags": ("各期各层冷热标记", "cold/hot flags, every level and period"),
    "compare": ("与上期比较", "comparison with the previous period"), "attenuation": ("落差", "vertical drop"),
    "imbalance": ("温差", "cold and hot"), "coordination": ("四责协同", "coordination"),
    "closure": ("清单闭环", "closed loop"), "trend": ("逐期变化", "over time"), "assess": ("年度考核", "assessment"),
    "capacity": ("纪检力量", "capacity"), "remit": ("分管范围外的风险", "risk outside remits"),
    "other": ("其他", "other"),
  ]

  /// `body`, an output error printed as `write` prints it (exit 1).
  func outputCheck<T>(_ path: String, _ body: () throws(OutputError) -> T) throws -> T {
    do {
      return try body()
    } catch {
      throw outputFailure(error, path: path, lang: lang)
    }
  }

  /// `--timings`: seconds and share of the total per stage, then the share outside the
  /// analyses (every stage but loading and the analyses, the rest included).
  func timingsTable(_ clock: ReportTimings, total: Duration, results: ResultsFile) -> String {
    let seconds = total.seconds
    let names: [ReportTimings.Stage: (String, String)] = [
      .load: ("读取（数据集与哈希）", "load (dataset + hash)"), .analyses: ("分析", "analyses"),
      .results: ("结果 JSON 对象", "results JSON objects"), .charts: ("图表", "charts"),
      .documents: ("文档（表格、Markdown、HTML）", "documents (tables, Markdown, HTML)"),
      .writing: ("写文件（含等待 results.json）", "writing (files; waiting for results.json)"),
    ]
    var rows: [(String, Double)] = []
    for (stage, s) in clock.stages {
      rows.append((lang.pick(names[stage]!.0, names[stage]!.1), s))
      guard stage == .analyses else { continue }
      // Each analysis's share of the analyses, indented below them.
      for (name, x) in clock.analyses {
        let label = Self.analysisNames[name].map { lang.pick($0.0, $0.1) } ?? name
        rows.append(("  " + label, x))
      }
    }
    let rest = seconds - clock.stages.reduce(0) { $0 + $1.seconds }
    rows.append((lang.pick("其余", "rest"), rest))
    rows.append((lang.pick("合计", "total"), seconds))
    var table = TextTable(columns: [
      .init(title: lang.pick("阶段", "Stage")), .init(title: lang.pick("秒", "Seconds"), alignment: .right),
      .init(title: lang.pick("占比", "Share"), alignment: .right),
    ])
    for (name, s) in rows {
      table.addRow([name, String(format: "%.2f", s), String(format: "%.1f%%", seconds > 0 ? 100 * s / seconds : 0)])
    }
    let outside = seconds - clock[.load] - clock[.analyses]
    return table.render()
      + lang.pick(
        "分析之外（读取与分析以外的全部）：\(String(format: "%.2f", outside)) 秒，占 \(String(format: "%.1f%%", seconds > 0 ? 100 * outside / seconds : 0))",
        "Outside the analyses (all but load and analyses): \(String(format: "%.2f", outside)) s, \(String(format: "%.1f%%", seconds > 0 ? 100 * outside / seconds : 0))")
      + "\n"
      + lang.pick(
        "results.json 在另一队列中与分析同时生成并写出：JSON 对象 \(String(format: "%.2f", results.making.seconds)) 秒，字节与写入 \(String(format: "%.2f", results.writing.seconds)) 秒；最后等待 \(String(format: "%.2f", results.waited.seconds)) 秒（计入写文件）",
        "results.json, made and written on a queue of its own while the analyses ran: JSON objects \(String(format: "%.2f", results.making.seconds)) s, bytes and writes \(String(format: "%.2f", results.writing.seconds)) s; waited for at the end \(String(format: "%.2f", results.waited.seconds)) s (in writing)")
  }
}

/// results.json, made and written member by member on a serial queue of its own
/// (`JSONWriter.ObjectFile`: atomic, the object never whole in memory), in the order the
/// report hands the members over.
final class ResultsFile: @unchecked Sendable {
  private let queue = DispatchQueue(label: "chuandao.report.results")
  /// Frees each member's objects once written (a province's member is a million of them,
  /// a second's work); nothing waits for it, the last member's are left to the exit.
  private let freeing = DispatchQueue(label: "chuandao.report.results.free")
  private let file: JSONWriter.ObjectFile
  /// Time on the queue making the members' objects, and writing them; the time `commit`
  /// waited for the queue. Read after `commit` (the queue is then idle).
  private(set) var making = Duration.zero
  private(set) var writing = Duration.zero
  private(set) var waited = Duration.zero

  init(path: String, protecting: Set<String>) throws(OutputError) {
    // Compact: a province's results.json is data for programs, 40% smaller without the
    // indentation (`jq .` or `python3 -m json.tool` prints it indented).
    file = try JSONWriter.ObjectFile(path: path, protecting: protecting, writer: JSONWriter(pretty: false))
  }

  /// `ReportBuilder.ResultsReceiver`: queues the member. (Making and writing on two
  /// queues was tried: on 2 cores it only slowed the analyses, whose time it shares.)
  func receive(_ key: String, _ make: @escaping @Sendable () -> JSONObject) {
    queue.async {
      let start = ContinuousClock.now
      let object = make()
      let value = JSON.object(object)
      let made = ContinuousClock.now
      self.file.member(key, value)
      if self.workbook != nil {
        do throws(OutputError) {
          for (name, rows) in CommandOutput.tables(
            of: object, prefix: key, maxRows: Self.workbookMaxRows, omitted: &self.omitted)
          {
            try self.workbook?.add(XLSXTable(name: name, objects: rows))
          }
        } catch {
          self.workbookFailure = self.workbookFailure ?? error
        }
      }
      self.making += made - start
      self.writing += .now - made
      self.freeing.async { withExtendedLifetime(value) {} }
    }
  }

  /// report.xlsx, made on the same queue from the same objects: one sheet per table.
  private var workbook: XLSXWriter?
  private var workbookFailure: OutputError?
  /// The tables longer than `workbookMaxRows`, left out of report.xlsx.
  private var omitted: [(name: String, rows: Int)] = []
  /// report.xlsx holds tables of at most this many rows: every table of a city's report;
  /// a province's node lists (hundreds of thousands of rows, minutes to write) are in
  /// results.json and in each command's `--format xlsx --out`, and an `omitted` sheet
  /// names them.
  static let workbookMaxRows = 50_000

  /// Starts report.xlsx; call before the first member is received.
  func startWorkbook() throws(OutputError) { workbook = try XLSXWriter() }

  /// Writes report.xlsx (after `commit`), with the provenance on a sheet of its own.
  func writeWorkbook(to path: String, provenance: JSONObject, protecting: Set<String>) throws(OutputError) {
    queue.sync {}
    if let workbookFailure { throw workbookFailure }
    guard var workbook else { return }
    if !omitted.isEmpty {
      var rows: [JSONObject] = []
      for (name, count) in omitted {
        var row = JSONObject()
        row["table"] = .string(name)
        row["rows"] = JSON(count)
        row["where"] = .string("results.json; chuandao COMMAND ... --format xlsx --out FILE")
        rows.append(row)
      }
      try workbook.add(XLSXTable(name: "omitted", objects: rows))
    }
    try workbook.add(XLSXWriter.provenanceTable(provenance))
    try workbook.write(to: path, protecting: protecting)
    self.workbook = nil
  }

  /// Waits for the members queued, then puts the file in place.
  func commit() throws(OutputError) {
    let start = ContinuousClock.now
    queue.sync {}
    waited = .now - start
    try file.commit()
  }
}

fileprivate extension Duration {
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
