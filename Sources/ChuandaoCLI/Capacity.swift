import ArgumentParser
import Chuandao
import ChuandaoReport

struct Capacity: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("纪检力量：人手与合署办公是否影响督查（合署办公、身兼数职）。", "Discipline capacity: whether staffing and joint offices shape supervision (合署办公, 身兼数职)."),
    discussion: helpText(help("""
      按层级：每百名党员的专职纪检干部数、无专职的节点数和合署办公（org.csv 的 joint_office 列）比例；督查次数对 log2(纪检干部数/党员数) 和合署办公的泊松回归（按党员数，有 risks.csv 时按各领域风险调整，与 imbalance 相同），给出人员每翻一倍和合署办公的率比及 95% 区间（按上级聚类稳健，statsmodels 的小样本校正）；无专职的节点另设指示变量。imbalance 判为“冷”的节点中，有多少人手不足（无专职，或每百名党员纪检干部数低于该层中位数）。方法见 docs/methods/capacity.md。

      示例：
        chuandao capacity datasets/sample
        chuandao capacity datasets/sample --adjust none --lang en
        chuandao capacity datasets/sample --format json > capacity.json
        chuandao capacity datasets/sample --format xlsx --out capacity.xlsx
      """, """
      Per level: full-time discipline staff per 100 members, the nodes with none, and the
      share of joint offices (org.csv's joint_office column); a Poisson regression of the
      supervision counts on log2(staff / members) and joint office, with the members (and,
      with risks.csv, each domain's risk) as in imbalance, giving the rate ratio per
      doubling of staff and of joint office with 95% intervals clustered by parent
      (statsmodels' small-sample factor); nodes with no staff get an indicator of their
      own. And among the nodes imbalance flags cold, how many are short of staff (none, or
      fewer per 100 members than the level's median). Method: docs/methods/capacity.md.

      Examples:
        chuandao capacity datasets/sample
        chuandao capacity datasets/sample --adjust none --lang en
        chuandao capacity datasets/sample --format json > capacity.json
        chuandao capacity datasets/sample --format xlsx --out capacity.xlsx
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @Option(help: optionHelp("none 或 risk（默认：risks.csv 有数据时为 risk，否则 none）。", "none or risk (default: risk when risks.csv has rows, else none)."))
  var adjust: ImbalanceAnalysis.Adjustment?

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    try requireFile("supervision.csv", in: data, lang: lang)
    let mode = try resolveAdjustment(adjust, in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let result = try CapacityAnalysis(adjust: mode, settings: settings.imbalance).run(data, period: t)
    for l in result.levels {
      for note in l.notes { printError(lang.pick("注：", "note: ") + "\(data.manifest.levels[l.level]): " + note.text(lang)) }
    }
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang))
    }
  }
}

struct Remit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("分管工作外的风险点：无人分管的风险与范围内外的督查。", "Risks outside leaders' remits (分管工作外的风险点): unowned risk and supervision inside and outside."),
    discussion: helpText(help("""
      leaders.csv 的 domains 列给出每名领导分管的风险领域（用 ; 分隔）。对被分管的层级（默认：本期被分管最多的层级）：每个单位的风险中没有任何分管它的领导负责的领域所占比例（unowned_risk_share）；分管范围内与范围外的督查占比、风险占比和覆盖度（与 imbalance 的盲区分析相同）；同一领域内范围外相对范围内的督查率比（泊松回归，按上级聚类稳健的 95% 区间）；每名领导所分管单位的风险中不在其分管领域内的部分。方法见 docs/methods/remit.md。

      示例：
        chuandao remit datasets/sample
        chuandao remit datasets/sample --level unit --lang en
        chuandao remit datasets/sample --format csv --out remit.csv
        chuandao remit datasets/sample --format xlsx --out remit.xlsx
      """, """
      leaders.csv's domains column gives the risk domains each leader is in charge of
      (separated by ;). For the overseen level (default: the level most overseen nodes of
      the period are on): per unit, the share of its risk in domains that no leader
      overseeing it covers (unowned_risk_share); the supervision share, risk share and
      coverage inside and outside the leaders' remits (as imbalance's blind spots); the
      rate ratio of supervision outside against inside within a domain (a Poisson
      regression, 95% interval cluster-robust by parent); per leader, the risk of their
      units outside their own domains. Method: docs/methods/remit.md.

      Examples:
        chuandao remit datasets/sample
        chuandao remit datasets/sample --level unit --lang en
        chuandao remit datasets/sample --format csv --out remit.csv
        chuandao remit datasets/sample --format xlsx --out remit.xlsx
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @Option(help: optionHelp("单位所在的层级（层级名称；默认本期被分管最多的层级）。", "Level of the units (a level name; default: the level most overseen nodes are on)."))
  var level: String?

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    try requireFile("leaders.csv", in: data, lang: lang)
    try requireFile("supervision.csv", in: data, lang: lang)
    if !data.leaders.hasDomains {
      printError(lang.pick(
        "leaders.csv: error: 没有 domains 列（每名领导分管的风险领域，用 ; 分隔），无法分析分管范围",
        "leaders.csv: error: no domains column (the risk domains each leader is in charge of, separated by ;), so remits are unknown"))
      throw ExitCode(1)
    }
    let k = try resolveLevel(level, in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let result: RemitResult
    do {
      result = try RemitAnalysis(level: k, blindSpot: settings.imbalance.blindSpot).run(data, period: t)
    } catch RemitError.noOversight {
      printError(lang.pick(
        "错误：\(data.manifest.periods[t]) 期 leaders.csv 中没有任何领导分管单位（oversees 列）",
        "error: no leader oversees any unit in period \(data.manifest.periods[t]) (leaders.csv's oversees column)"))
      throw ExitCode(2)
    } catch ImbalanceError.noNodes {
      printError(lang.pick(
        "错误：该层在 \(data.manifest.periods[t]) 期没有党员数大于 0 的节点",
        "error: the level has no node with members > 0 in period \(data.manifest.periods[t])"))
      throw ExitCode(2)
    }
    for note in result.notes { printError(lang.pick("注：", "note: ") + note.text(lang)) }
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang))
    }
  }
}
