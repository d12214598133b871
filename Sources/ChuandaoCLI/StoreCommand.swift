import ArgumentParser
import Chuandao
import ChuandaoReport
import ChuandaoStore
import Foundation
import _ChuandaoOutput

struct StoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store",
    abstract: help("历史存储库：逐年导入交付，保留各期修订、组织沿革和已发布的考核。", "The history store: yearly deliveries with their revisions, the organisation's history and published assessments."),
    discussion: helpText(help("""
      每年的数据作为一次“交付”（一个数据集文件夹）导入存储库；各项分析用 --store 代替数据集文件夹，就能看到所有年份（docs/store.md）。

      示例：
        chuandao store init --store history.sqlite
        chuandao store import deliveries/2024 --store history.sqlite
        chuandao trend --store history.sqlite
        chuandao store log --store history.sqlite
      """, """
      Each year's data are imported as a delivery (a dataset folder); every analysis then
      takes --store in place of the dataset folder and sees all years (docs/store.md).

      Examples:
        chuandao store init --store history.sqlite
        chuandao store import deliveries/2024 --store history.sqlite
        chuandao trend --store history.sqlite
        chuandao store log --store history.sqlite
      """)),
    subcommands: [Init.self, Import.self, Log.self, Published.self])

  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: help("创建存储库（已存在时只检查其版本）。", "Create a store (for an existing one, check its version)."))
    @OptionGroup var options: StoreOption

    func run() throws {
      let lang = options.lang
      do {
        let (_, created) = try Store.initialise(location: options.location)
        printOut(created
          ? lang.pick("已创建存储库 \(options.location)（结构版本 \(StoreSchema.version)）\n", "created the store \(options.location) (schema version \(StoreSchema.version))\n")
          : lang.pick("\(options.location) 已是存储库（结构版本 \(StoreSchema.version)）；未作改动\n", "\(options.location) is a store already (schema version \(StoreSchema.version)); nothing changed\n"))
      } catch {
        throw storeFailure(error, lang: lang)
      }
    }
  }

  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: help("把一次交付（数据集文件夹）导入存储库。", "Import a delivery (a dataset folder) into the store."),
      discussion: helpText(help("""
        先按存储库校验交付（org.csv 的 valid_from/valid_to 可以指向以前交付的期），再在一个事务中加入其各期及每个文件的 SHA-256。同一交付再导入不作改动并说明；某期内容变了的再次交付成为该期的新修订（旧修订保留，可用 --revision 期@号 指定）。失败的导入不改变存储库。

        示例：
          chuandao store import deliveries/2025 --store history.sqlite
        """, """
        Checks the delivery against the store (valid_from/valid_to in org.csv may name
        periods of earlier deliveries), then adds its periods with each file's SHA-256 in
        one transaction. The same delivery again changes nothing and says so; a changed
        re-delivery of a period becomes its next revision (the earlier one is kept and can
        be named with --revision PERIOD@N). A failed import leaves the store as it was.

        Example:
          chuandao store import deliveries/2025 --store history.sqlite
        """)))
    @Argument(help: optionHelp("交付：一个数据集文件夹。", "The delivery: a dataset folder.")) var delivery: String
    @OptionGroup var options: StoreOption

    func run() throws {
      let lang = options.lang
      let store = try openStore(options.location, lang: lang)
      let outcome: ImportOutcome
      do {
        outcome = try store.importDelivery(folder: delivery)
      } catch {
        throw storeFailure(error, lang: lang)
      }
      printWarnings(outcome.warnings, folder: delivery, lang: lang)
      printOut(describe(outcome, store: options.location, lang: lang))
    }
  }

  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: help("列出交付、各期的修订和组织沿革的改动。", "List the deliveries, each period's revisions and what each delivery changed in the organisation."))
    @OptionGroup var options: StoreOption

    func run() throws {
      let lang = options.lang
      let store = try openStore(options.location, lang: lang)
      do {
        let log = try store.log()
        var s = lang.pick("存储库 \(store.location)：\(log.deliveries.count) 次交付\n\n", "Store \(store.location): \(log.deliveries.count) deliveries\n\n")
        for d in log.deliveries {
          s += lang.pick("交付 \(d.id) '\(d.name)'（\(d.importedAt)，期 \(d.periods.joined(separator: ", "))）\n", "delivery \(d.id) '\(d.name)' (\(d.importedAt), periods \(d.periods.joined(separator: ", ")))\n")
          let changes = log.orgChanges[d.id] ?? []
          let added = changes.filter { $0.change == "added" }.count
          let changed = changes.filter { $0.change == "changed" }
          s += lang.pick("  组织沿革：新增 \(added) 个节点，改动 \(changed.count) 个", "  organisation: \(added) nodes added, \(changed.count) changed")
          if !changed.isEmpty {
            s += lang.pick("（", " (") + changed.prefix(8).map { "\($0.node): \($0.fields)" }.joined(separator: "; ")
              + (changed.count > 8 ? "; ..." : "") + lang.pick("）", ")")
          }
          s += "\n"
        }
        s += lang.pick("\n各期修订\n", "\nRevisions by period\n")
        for p in log.periods {
          let rs = (log.revisions[p] ?? []).map { r in
            "\(p)@\(r.number) (" + lang.pick("交付 ", "delivery ") + "\(r.delivery))"
          }
          s += "  \(p): " + rs.joined(separator: ", ") + "\n"
        }
        printOut(s)
      } catch {
        throw storeFailure(error, lang: lang)
      }
    }
  }
}

extension StoreCommand {
  struct Published: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: help("列出已发布的考核，或显示其中一个。", "List the published assessments, or show one."),
      discussion: helpText(help("""
        不给名称时列出全部；给出名称时显示其设置、上下限和每一行（--format json：原样输出发布时的 JSON 文档）。

        示例：
          chuandao store published --store history.sqlite
          chuandao store published 2025 --store history.sqlite --format json
        """, """
        Without a name, lists them all; with one, shows its settings, goalposts and every
        row (--format json: the JSON document exactly as published).

        Examples:
          chuandao store published --store history.sqlite
          chuandao store published 2025 --store history.sqlite --format json
        """)))
    @Argument(help: optionHelp("发布名称。", "The publication's name.")) var name: String?
    @OptionGroup var options: StoreOption
    @Option(help: optionHelp("输出：table、json、markdown 或 html。", "Output: table, json, markdown or html.")) var format: OutputFormat = .table

    func run() throws {
      let lang = options.lang
      let store = try openStore(options.location, lang: lang)
      do {
        guard let name else {
          let all = try store.publications()
          if format == .json {
            let list = JSON.array(all.map { p in
              .object([
                "name": .string(p.name), "period": .string(p.period), "published_at": .string(p.publishedAt),
                "published_by": JSON(p.publishedBy), "rows": .int(p.rows), "settings_sha256": JSON(p.settingsSHA256),
              ])
            })
            return printOut(JSONWriter().string(.object(["publications": list])) + "\n")
          }
          var table = Table([
            Column(lang.pick("名称", "Name")), Column(lang.pick("期", "Period")), Column(lang.pick("发布时间", "Published")),
            Column(lang.pick("发布人", "By")), Column(lang.pick("行数", "Rows"), .count), Column(lang.pick("设置", "Settings")),
          ])
          for p in all {
            table.add([.text(p.name), .text(p.period), .text(p.publishedAt), .text(p.publishedBy ?? "-"), .count(p.rows),
                       .text(p.settingsSHA256.map { "sha256 " + $0.prefix(12) } ?? lang.pick("默认值", "defaults"))])
          }
          let title = lang.pick("已发布的考核（\(all.count)）", "Published assessments (\(all.count))")
          return printOut(render(Document([Section(title, [.table(table)])])))
        }
        guard let p = try store.publication(named: name) else {
          let names = try store.publications().map(\.name)
          printError(lang.pick("错误：没有名为 '\(name)' 的已发布考核（有：\(names.joined(separator: ", "))）",
            "error: no published assessment named '\(name)' (there are: \(names.joined(separator: ", ")))"))
          throw ExitCode(1)
        }
        if format == .json { return printOut(p.document + "\n") }
        var head = Section(lang.pick("已发布的考核 '\(p.name)'：\(p.period) 期", "Published assessment '\(p.name)': period \(p.period)"))
        head.paragraph(lang.pick("发布于 \(p.publishedAt)", "published \(p.publishedAt)") + (p.publishedBy.map { lang.pick("，发布人 \($0)", " by \($0)") } ?? ""))
        head.paragraph(lang.pick("设置：", "Settings: ") + (p.settingsSHA256.map { "sha256 \($0.prefix(12))" } ?? lang.pick("默认值", "defaults")) + lang.pick("；权重 ", "; weights ") + p.weights)
        var posts = Table([Column(lang.pick("层级", "Level")), Column(lang.pick("指标", "Indicator")), Column(lang.pick("下限", "Min"), .number(4)), Column(lang.pick("上限", "Max"), .number(4))])
        for level in p.goalposts.keys.sorted() {
          for (indicator, g) in (p.goalposts[level] ?? [:]).sorted(by: { $0.key < $1.key }) {
            posts.add([.text(level), .text(indicator), .number(g.min), .number(g.max)])
          }
        }
        var rows = Table([Column("ID"), Column(lang.pick("层级", "Level")), Column(lang.pick("综合得分", "Composite"), .number(2)), Column(lang.pick("排名", "Rank"), .count), Column(lang.pick("等级", "Grade"))])
        for r in try store.publishedRows(name) {
          rows.add([.text(r.node), .text(r.level), .number(r.composite), .count(r.rank), .text(r.grade ?? "-")])
        }
        printOut(render(Document([head, Section(lang.pick("上下限", "Goalposts"), [.table(posts)]), Section(lang.pick("各行", "Rows"), [.table(rows)])])))
      } catch let e as ExitCode {
        throw e
      } catch {
        throw storeFailure(error, lang: lang)
      }
    }

    func render(_ d: Document) -> String {
      (format.renderer(wholeNames: true) ?? TerminalRenderer(wholeNames: true)).render(d)
    }
  }
}

/// Prints a delivery's warnings (at most ten; `validate --store` prints them all).
func printWarnings(_ log: DiagnosticLog, folder: String, lang: Language, limit: Int = 10) {
  for d in log.items.prefix(limit) { printError(d.formatted(lang)) }
  if log.items.count > limit {
    printError(lang.pick(
      "……另有 \(log.items.count - limit) 个警告；运行 `chuandao validate --store S \(folder)` 查看全部",
      "... and \(log.items.count - limit) more warnings; run `chuandao validate --store S \(folder)` to see them all"))
  }
}

/// What an import did, in sentences.
func describe(_ o: ImportOutcome, store: String, lang: Language) -> String {
  if o.nothingChanged {
    let held = o.periods.map { c -> String in
      if case .unchanged(let p, let n) = c { return "\(p)@\(n)" }
      return ""
    }.joined(separator: ", ")
    return lang.pick(
      "没有改动：存储库 \(store) 已有这次交付 '\(o.delivery)'（\(held)），组织沿革也相同\n",
      "nothing changed: the store \(store) already holds the delivery '\(o.delivery)' (\(held)) and its organisation history\n")
  }
  var s = lang.pick("已把交付 '\(o.delivery)' 导入 \(store)：\n", "imported the delivery '\(o.delivery)' into \(store):\n")
  for c in o.periods {
    switch c {
    case .added(let p):
      s += lang.pick("  期 \(p)：新增（修订 1）\n", "  period \(p): added (revision 1)\n")
    case .revised(let p, let n):
      s += lang.pick("  期 \(p)：内容有变，成为修订 \(n)（修订 \(n - 1) 保留，可用 --revision \(p)@\(n - 1) 指定）\n",
        "  period \(p): changed, now revision \(n) (revision \(n - 1) is kept: --revision \(p)@\(n - 1))\n")
    case .unchanged(let p, let n):
      s += lang.pick("  期 \(p)：未变（修订 \(n)）\n", "  period \(p): unchanged (revision \(n))\n")
    }
  }
  s += lang.pick("  组织沿革：新增 \(o.orgAdded.count) 个节点，改动 \(o.orgChanged.count) 个", "  organisation: \(o.orgAdded.count) nodes added, \(o.orgChanged.count) changed")
  if !o.orgChanged.isEmpty {
    s += lang.pick("（", " (") + o.orgChanged.prefix(8).map { "\($0.node): \($0.fields.joined(separator: ", "))" }.joined(separator: "; ")
      + (o.orgChanged.count > 8 ? "; ..." : "") + lang.pick("）", ")")
  }
  if o.orgKept > 0 {
    s += lang.pick("；本次未列出的 \(o.orgKept) 个节点保持原样", "; \(o.orgKept) nodes not listed in this delivery kept as they were")
  }
  return s + "\n"
}
