import ArgumentParser
import Chuandao

struct ChuandaoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chuandao",
    abstract: help("衡量党风廉政建设责任如何层层传导、在哪里衰减：落差、温差与四责协同。", "Measure how responsibility is transmitted down an organisation, and where it fades. 层层传导：落差、温差与四责协同。"),
    discussion: helpText(help("""
      每项分析都读取一个数据集文件夹（见 docs/data.md）：dataset.yaml、org.csv 和可选的数据文件。退出状态：0 成功，1 用法错误，2 数据无效。帮助的语言随 --lang（或环境变量 LANG）而定，例如 chuandao imbalance --help --lang zh。

      示例：
        chuandao validate datasets/sample
        chuandao summary datasets/sample --lang en
        chuandao summary datasets/sample --format json > summary.json
      """, """
      Every analysis reads a dataset folder (see docs/data.md): dataset.yaml, org.csv and the
      optional data files. Exit status: 0 success, 1 usage error, 2 invalid data.

      Examples:
        chuandao validate datasets/sample
        chuandao summary datasets/sample --lang en
        chuandao summary datasets/sample --format json > summary.json
      """)),
    version: ChuandaoVersion.string,
    subcommands: [
      Validate.self, Summary.self, Generate.self, Attenuation.self, Imbalance.self,
      Coordination.self, Closure.self, Capacity.self, Remit.self, Trend.self, Assess.self, Compare.self, Report.self, Chart.self, Notebook.self, StoreCommand.self, OverrideCommand.self,
    ]
  )
}
