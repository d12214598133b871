import ArgumentParser
import Chuandao

struct ChuandaoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chuandao",
    abstract: "Measure how responsibility is transmitted down an organisation, and where it fades. 层层传导：落差、温差与四责协同。",
    discussion: helpText("""
      Every analysis reads a dataset folder (see docs/data-format.md): dataset.yaml, org.csv and the
      optional data files. Exit status: 0 success, 1 usage error, 2 invalid data.

      Examples:
        chuandao validate datasets/sample
        chuandao summary datasets/sample --lang en
        chuandao summary datasets/sample --format json > summary.json
      """),
    version: ChuandaoVersion.string,
    subcommands: [
      Validate.self, Summary.self, Generate.self, Attenuation.self, Imbalance.self,
      Coordination.self, Closure.self, Trend.self, Assess.self, Compare.self, Report.self, Notebook.self,
    ]
  )
}
