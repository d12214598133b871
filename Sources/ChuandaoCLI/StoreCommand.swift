import ArgumentParser
import Chuandao
import ChuandaoStore
import Foundation

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
    subcommands: [Init.self, Import.self, Log.self])

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
