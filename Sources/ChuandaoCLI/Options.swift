import ArgumentParser
import Chuandao
import ChuandaoReport
import Foundation

extension Language: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

/// The options every analysis command shares (OUTPUT.md).
struct CommonOptions: ParsableArguments {
  @Option(help: "Period label to analyse (default: the latest period).")
  var period: String?

  @Option(help: "Output: table (terminal), json (one document on stdout), csv (node rows, UTF-8 with BOM), markdown or html (the tables as Markdown, or an HTML fragment).")
  var format: OutputFormat = .table

  @Option(help: "Language of tables and messages: zh or en.")
  var lang: Language = .zh

  @Option(help: "Settings file (YAML, docs/methods.md section 8); keys given override the defaults.")
  var config: String?

  @Option(help: "Write the output to this file (atomically) instead of stdout; with csv, the provenance goes beside it in FILE.provenance.json. With csv and a folder (an existing one, or a path ending in /), one CSV file per table: nodes.csv, the headline tables (steps, groups, domains, levels, leaders, breaks, ...) and summary.csv, with provenance.json.")
  var out: String?

  @Flag(help: "Tables: print whole names. The default on a terminal shortens long names (never so that two rows look alike); to a file or a pipe names are always whole.")
  var wide = false
}

/// The dataset folder argument.
struct DatasetArgument: ParsableArguments {
  @Argument(help: "The dataset folder (dataset.yaml, org.csv, ...).")
  var dataset: String
}

/// `--metric`, for the commands that follow one metric.
struct MetricOption: ParsableArguments {
  @Option(help: "score, score.SUBJECT (committee, secretary, commission, members) or intensity.")
  var metric = "score"

  /// The metric, parsed against the dataset's subjects (an unknown one is a usage error),
  /// once the dataset is known to have the file it is read from (else exit 2).
  func resolve(in data: Dataset, lang: Language) throws -> Metric {
    guard let m = Metric(metric, subjects: data.manifest.subjects) else {
      let subjects = data.manifest.subjects
      printError(lang.pick(
        "错误：未知的指标 '\(metric)'（可用：score、intensity 或 score.主体，主体为 \(subjects.joined(separator: "、"))）",
        "error: unknown metric '\(metric)' (use score, intensity or score.SUBJECT, SUBJECT one of \(subjects.joined(separator: ", ")))"))
      throw ExitCode(1)
    }
    try requireFile(m.requiredFile, in: data, lang: lang)
    return m
  }
}

/// `--fdr Q`, for the commands that flag nodes: findings are the nodes whose
/// Benjamini-Hochberg q-value over their level is at most Q (docs/flags-and-chance.md).
struct FDROption: ParsableArguments {
  @Option(help: "List as findings the nodes whose Benjamini-Hochberg q-value is at most this false-discovery rate (0 < Q < 1, e.g. 0.05); the q-values are in the JSON either way.")
  var fdr: Double?

  func validate() throws {
    if let fdr, !(fdr > 0 && fdr < 1) {
      throw ValidationError("--fdr must be between 0 and 1 (e.g. 0.05), got \(fdr)")
    }
  }
}
