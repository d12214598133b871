import ArgumentParser
import Chuandao
import ChuandaoReport
import Foundation
import _ChuandaoOutput

struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("写出完整报告：Markdown、HTML、SVG 图表和 results.json。", "Write the full report: Markdown, HTML, SVG charts and results.json."),
    discussion: helpText(help("""
      对一期运行数据集支持的每项分析（落差；最顶层以下每一层的温差，默认调整方式；四责协同；有 problems.csv 和 period_end 时的三张清单闭环；逐期变化；年度考核；有上期时与上期比较），按分析人员阅读的顺序写出一份报告：DIR/report.md、DIR/report.html（单个自包含文件，可打印为 A4）、DIR/results.json（各命令的 JSON 及出处）和 DIR/charts/*.svg。缺少某项输入时，该节只用一句话说明原因。文件原子写入；DIR 不存在时创建（其上级须已存在）。结束时在标准输出打印 report.html 的路径。见 docs/report.md。

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
      its provenance) and DIR/charts/*.svg. A missing input leaves its section out with one
      sentence saying why. Files are written atomically; DIR is made when missing (its
      parent must exist). Prints the path of report.html at the end. See docs/report.md.

      Examples:
        chuandao report datasets/sample --out /tmp/report
        chuandao report datasets/sample --out /tmp/report-en --lang en
        chuandao report datasets/sample --out /tmp/report-2024 --period 2024 --config settings.yaml
      """)))

  @OptionGroup var dataset: DatasetArgument

  @Option(help: optionHelp("输出文件夹（不存在时创建，其上级须已存在）。", "Output folder (made when missing; its parent must exist)."))
  var out: String

  @Option(help: optionHelp("要报告的期（默认最近一期）。", "Period label to report (default: the latest period)."))
  var period: String?

  @Option(help: optionHelp("报告和消息的语言：zh 或 en。", "Language of the report and messages: zh or en."))
  var lang: Language = .zh

  @Option(help: optionHelp("设置文件（YAML，见 docs/methods.md 第 8 节）；给出的键覆盖默认值。", "Settings file (YAML, docs/methods.md section 8); keys given override the defaults."))
  var config: String?

  func run() throws {
    let settings = try loadSettings(config, lang: lang)
    let (data, digests) = try loadDataset(dataset.dataset, config: config, lang: lang)
    let t = try resolvePeriod(period, in: data, lang: lang)
    if AssessAnalysis(settings: settings.assess).unknownGoalpostLevels(data).count > 0 {
      printError(lang.pick("注：assess.goalposts 中有数据集没有的层级，年度考核一节略去", "note: assess.goalposts names a level the dataset does not have; the assessment section is left out"))
    }
    let provenance = Provenance(digests: digests, command: commandLine, period: data.manifest.periods[t])
    let report = ReportBuilder(
      dataset: data, settings: settings, period: t, lang: lang, provenance: provenance,
      settingsLine: settingsLine(config, digest: digests.config, lang: lang)
    ).build()

    let folder = out.hasSuffix("/") && out.count > 1 ? String(out.dropLast()) : out
    try makeFolder(folder, lang: lang)
    try makeFolder(folder + "/charts", lang: lang)
    let protecting = Provenance.protectedPaths(dataset: dataset.dataset, configPath: config)
    let names = Set(report.charts.map(\.name))
    // Charts of an earlier run that this one does not make would be linked from nowhere.
    if let old = try? FileManager.default.contentsOfDirectory(atPath: folder + "/charts") {
      for file in old where file.hasSuffix(".svg") && !names.contains(file) {
        try? FileManager.default.removeItem(atPath: folder + "/charts/" + file)
      }
    }
    for chart in report.charts {
      try write(Array(chart.svg.utf8), to: "\(folder)/charts/\(chart.name)", protecting: protecting, lang: lang)
    }
    try write(JSONWriter().data(.object(report.results)), to: folder + "/results.json", protecting: protecting, lang: lang)
    try write(Array(report.markdown.utf8), to: folder + "/report.md", protecting: protecting, lang: lang)
    try write(Array(report.html.utf8), to: folder + "/report.html", protecting: protecting, lang: lang)
    printOut(folder + "/report.html\n")
  }
}
