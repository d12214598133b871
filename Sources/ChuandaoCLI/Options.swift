import ArgumentParser
import Chuandao
import Foundation

extension Language: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

/// The options every analysis command shares (OUTPUT.md).
struct CommonOptions: ParsableArguments {
  @Option(help: "Period label to analyse (default: the latest period).")
  var period: String?

  @Option(help: "Output: table (terminal), json (one document on stdout) or csv (node rows, UTF-8 with BOM).")
  var format: OutputFormat = .table

  @Option(help: "Language of tables and messages: zh or en.")
  var lang: Language = .zh

  @Option(help: "Settings file (YAML, METHODS.md section 8); keys given override the defaults.")
  var config: String?

  @Option(help: "Write the output to this file (atomically) instead of stdout; with csv, the provenance goes beside it in FILE.provenance.json.")
  var out: String?
}

/// The dataset folder argument.
struct DatasetArgument: ParsableArguments {
  @Argument(help: "The dataset folder (dataset.yaml, org.csv, ...).")
  var dataset: String
}
