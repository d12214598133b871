import ArgumentParser
import Chuandao

struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("校验数据集，报告发现的每一个问题。", "Check a dataset and report every problem found. 校验数据集。"),
    discussion: helpText(help("""
      每个问题输出为 文件:行: error|warning: 说明（指出列、值和应有的内容），最后给出计数；从 Excel 工作簿读取的表格写作 工作簿[工作表]!单元格，如 scores.xlsx[scores]!D17。有错误时退出状态为 2，只有警告时为 0。

      示例：
        chuandao validate datasets/sample --lang en
      """, """
      Prints each problem as FILE:LINE: error|warning: message (naming the column, the
      value and what was expected), then a count; for a table read from an Excel workbook
      the place is BOOK[SHEET]!CELL, such as scores.xlsx[scores]!D17. Exit status 2 when
      there are errors, 0 with warnings only.

      Example:
        chuandao validate datasets/sample --lang en
      """)))

  @Argument(help: optionHelp("数据集文件夹（dataset.yaml、org.csv 等）；与 --store 一起时为要导入的交付。", "The dataset folder (dataset.yaml, org.csv, ...); with --store, the delivery to check."))
  var dataset: String
  @Option(help: optionHelp("按这个历史存储库校验交付，如同导入前的检查（org.csv 可以指向以前交付的期），不写入任何东西（docs/store.md）。", "Check the folder as a delivery against this history store, as an import would (org.csv may name periods of earlier deliveries), writing nothing (docs/store.md)."))
  var store: String?
  @Option(help: optionHelp("消息的语言：zh 或 en。", "Language of the messages: zh or en.")) var lang: Language = .zh

  func run() throws {
    if let store {
      let opened = try openStore(store, lang: lang)
      do {
        let outcome = try opened.check(delivery: dataset)
        for d in outcome.warnings.items { printError(d.formatted(lang)) }
        printError(outcome.warnings.summary(lang))
        printOut(describe(outcome, store: store, lang: lang).replacingOccurrences(
          of: lang.pick("已把交付", "imported the delivery"), with: lang.pick("导入将把交付", "an import would add the delivery")))
      } catch {
        throw storeFailure(error, lang: lang)
      }
      return
    }
    try requireFolder(dataset, lang: lang)
    let (_, log) = Chuandao.Dataset.validate(folder: dataset)
    for d in log.items { printError(d.formatted(lang)) }
    printError(log.summary(lang))
    if log.hasErrors { throw ExitCode(2) }
  }
}
