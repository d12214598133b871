import ArgumentParser
import Chuandao

struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a dataset and report every problem found. 校验数据集。",
    discussion: helpText("""
      Prints each problem as FILE:LINE: error|warning: message (naming the column, the
      value and what was expected), then a count. Exit status 2 when there are errors,
      0 with warnings only.

      Example:
        chuandao validate datasets/sample --lang en
      """))

  @OptionGroup var dataset: DatasetArgument
  @Option(help: "Language of the messages: zh or en.") var lang: Language = .zh

  func run() throws {
    try requireFolder(dataset.dataset, lang: lang)
    let (_, log) = Chuandao.Dataset.validate(folder: dataset.dataset)
    for d in log.items { printError(d.formatted(lang)) }
    printError(log.summary(lang))
    if log.hasErrors { throw ExitCode(2) }
  }
}
