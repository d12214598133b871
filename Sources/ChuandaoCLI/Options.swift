import ArgumentParser
import Chuandao
import ChuandaoReport
import Foundation

extension Language: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

/// The options every analysis command shares (OUTPUT.md).
struct CommonOptions: ParsableArguments {
  @Option(help: optionHelp("要分析的期（默认最近一期）。", "Period label to analyse (default: the latest period)."))
  var period: String?

  @Option(help: optionHelp("输出：table（终端表格）、json（标准输出上的一个 JSON 文档）、csv（节点行，带 BOM 的 UTF-8）、markdown 或 html（表格的 Markdown 或 HTML 片段）、xlsx（Excel 工作簿，每张表一个工作表，须给 --out FILE.xlsx）。", "Output: table (terminal), json (one document on stdout), csv (node rows, UTF-8 with BOM), markdown or html (the tables as Markdown, or an HTML fragment), xlsx (an Excel workbook, one sheet per table; needs --out FILE.xlsx)."))
  var format: OutputFormat = .table

  @Option(help: optionHelp("表格和消息的语言：zh 或 en。", "Language of tables and messages: zh or en."))
  var lang: Language = .zh

  @Option(help: optionHelp("设置文件（YAML，见 docs/methods.md 第 8 节）；给出的键覆盖默认值。", "Settings file (YAML, docs/methods.md section 8); keys given override the defaults."))
  var config: String?

  @Option(help: optionHelp("原子地写入该文件而不是标准输出；csv 时出处信息写在旁边的 FILE.provenance.json。csv 且给出文件夹（已有的文件夹，或以 / 结尾的路径）时，每张表一个 CSV 文件：nodes.csv、主要表格（steps、groups、domains、levels、leaders、breaks 等）和 summary.csv，以及 provenance.json。", "Write the output to this file (atomically) instead of stdout; with csv, the provenance goes beside it in FILE.provenance.json. With csv and a folder (an existing one, or a path ending in /), one CSV file per table: nodes.csv, the headline tables (steps, groups, domains, levels, leaders, breaks, ...) and summary.csv, with provenance.json."))
  var out: String?

  @Flag(help: optionHelp("表格中显示完整名称。在终端上默认缩短过长的名称（不会让两行看起来相同）；输出到文件或管道时总是完整名称。", "Tables: print whole names. The default on a terminal shortens long names (never so that two rows look alike); to a file or a pipe names are always whole."))
  var wide = false

  @OptionGroup var cache: CacheOptions
}

/// `--no-cache` and `--rehash`: how the dataset snapshot is used (docs/snapshot.md).
struct CacheOptions: ParsableArguments {
  @Flag(help: optionHelp("不读也不写数据集快照，总是读取 CSV 文件（环境变量 CHUANDAO_NO_CACHE=1 亦同；见 docs/snapshot.md）。", "Neither read nor write the dataset snapshot: always read the CSV files (so does CHUANDAO_NO_CACHE=1; docs/snapshot.md)."))
  var noCache = false

  @Flag(help: optionHelp("使用数据集快照前重新计算每个输入文件的 SHA-256，与快照记录的一致才使用。", "Use the dataset snapshot only after computing every input's SHA-256 again and finding each equal to the one recorded."))
  var rehash = false
}

/// The dataset folder argument, or `--store S` in its place (docs/store.md).
struct DatasetArgument: ParsableArguments {
  @Argument(help: ArgumentHelp(help("数据集文件夹（dataset.yaml、org.csv 等；任一表格也可以是 Excel 工作簿：scores.xlsx，或包含各工作表的 dataset.xlsx）；或用 --store 代替。", "The dataset folder (dataset.yaml, org.csv, ...; any table may be an Excel workbook instead: scores.xlsx, or one dataset.xlsx with a sheet per table); or --store in its place."), valueName: "dataset"))
  var folder: String?

  @Option(help: optionHelp("从历史存储库读取数据（SQLite 文件路径），代替数据集文件夹：所有交付的各期，默认每期最新修订（docs/store.md）。", "Read the data from a history store (an SQLite file path) instead of a dataset folder: every delivery's periods, each at its latest revision unless --revision says otherwise (docs/store.md)."))
  var store: String?

  @Option(help: optionHelp("与 --store 一起：某期使用的修订，如 2024@1（可重复）。", "With --store: the revision of a period to use, e.g. 2024@1 (repeatable)."))
  var revision: [String] = []

  /// The folder, or the store's location, for messages and for the paths an output must
  /// never overwrite.
  var dataset: String { folder ?? store ?? "" }

  func validate() throws {
    if folder != nil && store != nil {
      throw ValidationError(help("请给出数据集文件夹或 --store，不要同时给出", "give a dataset folder or --store, not both"))
    }
    if folder == nil && store == nil {
      throw ValidationError(help("缺少数据集文件夹（或 --store 存储库）", "missing the dataset folder (or --store STORE)"))
    }
    if !revision.isEmpty && store == nil {
      throw ValidationError(help("--revision 只能与 --store 一起使用", "--revision needs --store"))
    }
    _ = try revisions()
  }

  /// `--revision P@N` as period -> revision number.
  func revisions() throws -> [String: Int] {
    var out: [String: Int] = [:]
    for r in revision {
      guard let at = r.lastIndex(of: "@"), let n = Int(r[r.index(after: at)...]), n >= 1, at > r.startIndex else {
        throw ValidationError(help("--revision '\(r)' 应为 期@修订号，如 2024@1", "--revision '\(r)' must be PERIOD@NUMBER, e.g. 2024@1"))
      }
      out[String(r[..<at])] = n
    }
    return out
  }
}

/// `--metric`, for the commands that follow one metric.
struct MetricOption: ParsableArguments {
  @Option(help: optionHelp("score、score.主体（committee、secretary、commission、members）或 intensity。", "score, score.SUBJECT (committee, secretary, commission, members) or intensity."))
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
  @Option(help: optionHelp("列出 Benjamini-Hochberg q 值不超过该错误发现率的节点作为发现（0 < Q < 1，如 0.05）；无论是否给出，q 值都在 JSON 中。", "List as findings the nodes whose Benjamini-Hochberg q-value is at most this false-discovery rate (0 < Q < 1, e.g. 0.05); the q-values are in the JSON either way."))
  var fdr: Double?

  func validate() throws {
    if let fdr, !(fdr > 0 && fdr < 1) {
      throw ValidationError("--fdr must be between 0 and 1 (e.g. 0.05), got \(fdr)")
    }
  }
}
