import ArgumentParser
import Chuandao
import ChuandaoReport
import ChuandaoStore
import Foundation
import _ChuandaoOutput

extension OverrideKind: ExpressibleByArgument {}
extension OverrideAnalysis: ExpressibleByArgument {}

struct OverrideCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "override",
    abstract: help("分析人员对标记或等级的说明（三个区分开来）：只增不改，可撤销。", "Analysts' overrides of a flag or grade, with reasons (三个区分开来): append-only, revocable."),
    discussion: helpText(help("""
      说明不改变任何计算出的数字：输出照常给出计算的标记或等级，并在旁边给出说明（JSON 中为节点的 override 对象）。撤销是再加一条记录，原记录保留以备审计。种类：exploratory-trial（推进改革中因缺乏经验、先行先试出现的失误）、no-explicit-prohibition（尚无明确限制的探索性试验中的失误）、honest-mistake（为推动发展的无意过失）、data-error（数据错误）。

      示例：
        chuandao override add --store history.sqlite --period 2025 --node B1-U3-Z2 --analysis imbalance --kind exploratory-trial --reason "试点期间督查改由巡察组进行" --by 张三
        chuandao override list --store history.sqlite --period 2025
        chuandao override revoke 1 --store history.sqlite --reason "复核后不成立" --by 李四
      """, """
      An override changes no computed number: outputs still give the computed flag or
      grade, with the override beside it (JSON: the node's override object). Revoking adds
      a record; the original stays for audit. Kinds: exploratory-trial (a shortfall of
      inexperience in a reform tried first), no-explicit-prohibition (a shortfall in a
      trial no rule yet prohibited), honest-mistake (an honest mistake for the common
      good), data-error.

      Examples:
        chuandao override add --store history.sqlite --period 2025 --node B1-U3-Z2 --analysis imbalance --kind exploratory-trial --reason "supervised by the inspection team during the pilot" --by Zhang
        chuandao override list --store history.sqlite --period 2025
        chuandao override revoke 1 --store history.sqlite --reason "not borne out on review" --by Li
      """)),
    subcommands: [Add.self, List.self, Revoke.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: help("加一条说明。", "Add an override."))
    @OptionGroup var options: StoreOption
    @Option(help: optionHelp("期。", "The period.")) var period: String
    @Option(help: optionHelp("节点编号。", "The node id.")) var node: String
    @Option(help: optionHelp("imbalance、attenuation 或 assess。", "imbalance, attenuation or assess.")) var analysis: OverrideAnalysis
    @Option(help: optionHelp("exploratory-trial、no-explicit-prohibition、honest-mistake 或 data-error。", "exploratory-trial, no-explicit-prohibition, honest-mistake or data-error.")) var kind: OverrideKind
    @Option(help: optionHelp("理由（留作审计）。", "The reason (kept for audit).")) var reason: String
    @Option(help: optionHelp("说明人。", "Who makes the override.")) var by: String

    func run() throws {
      let lang = options.lang
      let store = try openStore(options.location, lang: lang)
      do {
        let o = try store.addOverride(period: period, node: node, analysis: analysis, kind: kind, reason: reason, by: by)
        printOut(lang.pick("已添加说明 \(o.id)：\(o.period) 期 \(o.node) 的 \(o.analysis.rawValue)，\(o.kind.label(lang))\n",
          "added override \(o.id): \(o.analysis.rawValue) of \(o.node) in \(o.period), \(o.kind.label(lang))\n"))
      } catch {
        throw storeFailure(error, lang: lang)
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: help("列出生效的说明（--all 含已撤销的）。", "List the overrides in force (--all: revoked ones too)."))
    @OptionGroup var options: StoreOption
    @Option(help: optionHelp("只列该期的。", "Only this period's.")) var period: String?
    @Option(help: optionHelp("只列该分析的。", "Only this analysis's.")) var analysis: OverrideAnalysis?
    @Flag(help: optionHelp("也列出已撤销的。", "List revoked ones too.")) var all = false
    @Option(help: optionHelp("输出：table、json、markdown 或 html。", "Output: table, json, markdown or html.")) var format: OutputFormat = .table

    func run() throws {
      let lang = options.lang
      let store = try openStore(options.location, lang: lang)
      let list: [Override]
      do { list = try store.overrides(period: period, analysis: analysis, includeRevoked: all) } catch { throw storeFailure(error, lang: lang) }
      if format == .json {
        let items = JSON.array(list.map { o in
          var j = o.json.objectValue ?? JSONObject()
          j["period"] = .string(o.period)
          j["node"] = .string(o.node)
          j["analysis"] = .string(o.analysis.rawValue)
          j["revoked"] = o.revoked.map { r in .object(["id": .int(Int(r.id)), "reason": .string(r.reason), "by": .string(r.by), "at": .string(r.at)]) } ?? .null
          return .object(j)
        })
        return printOut(JSONWriter().string(.object(["overrides": items])) + "\n")
      }
      var table = Table([
        Column("ID", .count), Column(lang.pick("期", "Period")), Column(lang.pick("节点", "Node")), Column(lang.pick("分析", "Analysis")),
        Column(lang.pick("种类", "Kind")), Column(lang.pick("理由", "Reason")), Column(lang.pick("说明人", "By")), Column(lang.pick("时间", "At")),
        Column(lang.pick("状态", "Status")),
      ])
      for o in list {
        let status = o.revoked.map { r in lang.pick("已撤销（\(r.at)，\(r.by)：\(r.reason)）", "revoked (\(r.at), \(r.by): \(r.reason))") } ?? lang.pick("生效", "in force")
        table.add([.count(Int(o.id)), .text(o.period), .text(o.node), .text(o.analysis.rawValue), .text(o.kind.rawValue), .text(o.reason), .text(o.by), .text(o.at), .text(status)])
      }
      let title = lang.pick("说明（\(list.count)）", "Overrides (\(list.count))")
      printOut((format.renderer(wholeNames: true) ?? TerminalRenderer(wholeNames: true)).render(Document([Section(title, [.table(table)])])))
    }
  }

  struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: help("撤销一条说明（加一条撤销记录）。", "Revoke an override (by adding a revoking record)."))
    @Argument(help: optionHelp("说明的编号（见 override list）。", "The override's id (see override list).")) var id: Int64
    @OptionGroup var options: StoreOption
    @Option(help: optionHelp("撤销的理由。", "Why it is revoked.")) var reason: String
    @Option(help: optionHelp("撤销人。", "Who revokes it.")) var by: String

    func run() throws {
      let lang = options.lang
      let store = try openStore(options.location, lang: lang)
      do {
        let o = try store.revokeOverride(id: id, reason: reason, by: by)
        printOut(lang.pick("已撤销说明 \(o.id)（\(o.period) 期 \(o.node) 的 \(o.analysis.rawValue)）\n",
          "revoked override \(o.id) (\(o.analysis.rawValue) of \(o.node) in \(o.period))\n"))
      } catch {
        throw storeFailure(error, lang: lang)
      }
    }
  }
}

/// A command's output with the overrides in force for its period and analysis beside the
/// computed values (docs/store.md, "Overrides"): JSON and CSV node rows get an `override`
/// object, the text forms a section listing each with the computed flag or grade. Without
/// a store, or with no override, the output is unchanged.
func overrides(
  _ analysis: OverrideAnalysis, period: String, data: Dataset, lang: Language
) throws -> (CommandOutput) -> CommandOutput {
  guard let session = StoreSession.current else { return { $0 } }
  let list: [Override]
  do { list = try session.store.overrides(period: period, analysis: analysis) } catch { throw storeFailure(error, lang: lang) }
  guard !list.isEmpty else { return { $0 } }
  return { withOverrides($0, list, period: period, data: data, lang: lang) }
}

func withOverrides(_ output: CommandOutput, _ list: [Override], period: String, data: Dataset, lang: Language) -> CommandOutput {
  var byNode: [String: Override] = [:]
  for o in list { byNode[o.node] = o }  // the latest in force wins
  func annotate(_ rows: [JSON]) -> [JSON] {
    rows.map { row in
      guard case .object(var o) = row, let id = o["id"]?.stringValue, let ov = byNode[id] else { return row }
      o["override"] = ov.json
      return .object(o)
    }
  }
  let json = output.json
  let csv = output.csvRows
  let document = output.document
  return CommandOutput(
    json: {
      var doc = json()
      if let nodes = doc["nodes"]?.arrayValue { doc["nodes"] = .array(annotate(nodes)) }
      return doc
    }(),
    csvRows: csv().map { row in
      guard let id = row["id"]?.stringValue, let ov = byNode[id] else { return row }
      var r = row
      r["override"] = ov.json
      return r
    },
    document: {
      var d = document()
      let nodes = json()["nodes"]?.arrayValue ?? []
      var computed: [String: String] = [:]
      for n in nodes {
        guard let id = n["id"]?.stringValue else { continue }
        computed[id] = n["flag"]?.stringValue ?? n["grade"]?.stringValue ?? "-"
      }
      var table = Table([
        Column("ID"), Column(lang.pick("名称", "Name"), .name(maxWidth: 24)), Column(lang.pick("计算结果", "Computed")),
        Column(lang.pick("说明", "Override")), Column(lang.pick("理由", "Reason")), Column(lang.pick("说明人", "By")),
        Column(lang.pick("时间", "At")),
      ])
      for o in list {
        let name = data.forest.index(of: o.node).map { data.forest.names[$0] } ?? ""
        table.add([.text(o.node), .text(name), .text(computed[o.node] ?? "-"), .text(o.kind.label(lang)), .text(o.reason), .text(o.by), .text(o.at)])
      }
      var section = Section(lang.pick("说明（\(period) 期，\(list.count) 条；计算结果不变）", "Overrides (period \(period), \(list.count); the computed values stand)"))
      section.table(table)
      d.append(section)
      return d
    }(),
    extraTables: output.extraTables())
}

/// The overrides in force for a period, of every analysis; nil without a store.
func periodOverrides(_ period: String, lang: Language) throws -> [Override]? {
  guard let session = StoreSession.current else { return nil }
  do { return try session.store.overrides(period: period) } catch { throw storeFailure(error, lang: lang) }
}

/// The report's section of a period's overrides: its title and a table with the reasons.
func overridesSection(_ list: [Override], period: String, data: Dataset, lang: Language) -> (String, Section) {
  var table = Table([
    Column("ID"), Column(lang.pick("名称", "Name")), Column(lang.pick("分析", "Analysis")), Column(lang.pick("说明", "Override")),
    Column(lang.pick("理由", "Reason")), Column(lang.pick("说明人", "By")), Column(lang.pick("时间", "At")),
  ])
  for o in list {
    let name = data.forest.index(of: o.node).map { data.forest.names[$0] } ?? ""
    table.add([.text(o.node), .text(name), .text(o.analysis.rawValue), .text(o.kind.label(lang)), .text(o.reason), .text(o.by), .text(o.at)])
  }
  var section = Section()
  section.paragraph(lang.pick(
    "分析人员对本期 \(list.count) 个标记或等级的说明（三个区分开来）。说明不改变计算结果：上文各表中的标记和等级仍为计算所得。",
    "Analysts explained \(list.count) flags or grades of this period (三个区分开来). An override changes no computed value: the flags and grades in the tables above are as computed."))
  section.table(table)
  return (lang.pick("说明", "Overrides") + " (\(period))", section)
}

func overrideJSON(_ o: Override) -> JSON {
  var j = o.json.objectValue ?? JSONObject()
  j["period"] = .string(o.period)
  j["node"] = .string(o.node)
  j["analysis"] = .string(o.analysis.rawValue)
  return .object(j)
}

func htmlEscape(_ s: String) -> String {
  s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}
