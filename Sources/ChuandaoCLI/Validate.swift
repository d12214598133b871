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

  @OptionGroup var dataset: DatasetArgument
  @Option(help: optionHelp("消息的语言：zh 或 en。", "Language of the messages: zh or en.")) var lang: Language = .zh

  func run() throws {
    try requireFolder(dataset.dataset, lang: lang)
    let (_, log) = Chuandao.Dataset.validate(folder: dataset.dataset)
    for d in log.items { printError(d.formatted(lang)) }
    printError(log.summary(lang))
    if log.hasErrors { throw ExitCode(2) }
  }
}
