#!/usr/bin/env Rscript
# Writes Tests/ChuandaoStatsTests/Fixtures/lme4_*.json: data sets and lme4's REML fits of
# nested random intercepts, y ~ 1 + (1 | g0/g1/...), the reference for
# NestedRandomIntercepts (METHODS.md section 2, "Where the unevenness lives").
#
# Run from the repository root (needs R with lme4; on Debian/Ubuntu
# `apt-get install r-base-core r-cran-lme4`):
#   Rscript Tests/Fixtures-scripts/stats/lme4_fixtures.R
#
# Each file holds the data (y, and groups[k] = integer labels of grouping level k, top
# first, unique within a level: the lme4 grouping factor a:b, not b) and lme4's results:
# fixef, the variances top first (VarCorr, ordered by number of groups), sigma^2, theta,
# logLik (REML, constants included), isSingular (tol 1e-4). Numbers are written with
# %.17g by hand, so nothing is lost to a JSON library's rounding.
suppressPackageStartupMessages(library(lme4))

out <- "Tests/ChuandaoStatsTests/Fixtures"
stopifnot(dir.exists(out))

num <- function(x) {
  s <- sprintf("%.17g", x)
  s[is.infinite(x) | is.nan(x)] <- "null"
  s
}
vec <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
ivec <- function(x) paste0("[", paste(sprintf("%d", as.integer(x)), collapse = ","), "]")

# labels: list of integer vectors, top level first. terms: lme4's nested formula.
write_fixture <- function(name, description, y, labels, formula, data) {
  fit <- lmer(formula, data = data, REML = TRUE)
  vc <- as.data.frame(VarCorr(fit))
  groupVc <- vc[vc$grp != "Residual", ]
  ng <- ngrps(fit)[groupVc$grp]
  stopifnot(!anyDuplicated(ng))  # strictly nested levels: order by group count
  groupVc <- groupVc[order(ng), ]
  stopifnot(nrow(groupVc) == length(labels))
  for (k in seq_along(labels)) {
    stopifnot(length(unique(labels[[k]])) == sort(ng)[k])
  }
  theta <- getME(fit, "theta")[match(groupVc$grp, names(ngrps(fit)))]
  json <- paste0(
    "{\n",
    '  "name": "', name, '",\n',
    '  "description": "', description, '",\n',
    '  "formula": "', paste(deparse(formula), collapse = ""), '",\n',
    '  "lme4Version": "', as.character(packageVersion("lme4")), '",\n',
    '  "rVersion": "', R.version.string, '",\n',
    '  "terms": [', paste0('"', groupVc$grp, '"', collapse = ","), '],\n',
    '  "fixef": ', num(unname(fixef(fit)[1])), ",\n",
    '  "variances": ', vec(groupVc$vcov), ",\n",
    '  "residualVariance": ', num(sigma(fit)^2), ",\n",
    '  "theta": ', vec(theta), ",\n",
    '  "remlLogLik": ', num(as.numeric(logLik(fit))), ",\n",
    '  "singular": ', if (isSingular(fit, tol = 1e-4)) "true" else "false", ",\n",
    '  "y": ', vec(y), ",\n",
    '  "groups": [\n    ', paste(vapply(labels, ivec, ""), collapse = ",\n    "), "\n  ]\n",
    "}\n")
  path <- file.path(out, paste0("lme4_", name, ".json"))
  writeLines(json, path, sep = "")
  cat(sprintf("%-14s n = %4d  sd = %s  sigma = %.6f  logLik = %.6f  singular = %s\n",
              name, length(y), paste(sprintf("%.6f", sqrt(groupVc$vcov)), collapse = " "),
              sigma(fit), as.numeric(logLik(fit)), isSingular(fit, tol = 1e-4)))
}

# Pastes: 10 batches x 3 casks x 2 samples. cask labels are batch:cask.
d <- Pastes
write_fixture("pastes", "lme4 Pastes, strength ~ 1 + (1|batch/cask)", d$strength,
              list(as.integer(d$batch), as.integer(interaction(d$batch, d$cask, drop = TRUE))),
              strength ~ 1 + (1 | batch/cask), d)

d <- Dyestuff
write_fixture("dyestuff", "lme4 Dyestuff, Yield ~ 1 + (1|Batch)", d$Yield,
              list(as.integer(d$Batch)), Yield ~ 1 + (1 | Batch), d)

d <- Dyestuff2
write_fixture("dyestuff2", "lme4 Dyestuff2, Yield ~ 1 + (1|Batch): singular", d$Yield,
              list(as.integer(d$Batch)), Yield ~ 1 + (1 | Batch), d)

# Simulated unbalanced nested data. The tree is grown top-down with random numbers of
# children and observations; labels are scrambled (arbitrary, non-contiguous, some negative
# or up to 2e9) so that the Swift side cannot rely on sorted or compact labels.
simulate <- function(top, children, perLeaf, sds, sigma, mu) {
  L <- length(sds)
  paths <- matrix(seq_len(top), ncol = 1)
  for (k in seq_len(L - 1)) {
    m <- sample(children[[k]], nrow(paths), replace = TRUE)
    idx <- rep(seq_len(nrow(paths)), m)
    paths <- cbind(paths[idx, , drop = FALSE], sequence(m))
  }
  m <- sample(perLeaf, nrow(paths), replace = TRUE)
  obs <- paths[rep(seq_len(nrow(paths)), m), , drop = FALSE]
  n <- nrow(obs)
  keys <- lapply(seq_len(L), function(k) apply(obs[, 1:k, drop = FALSE], 1, paste, collapse = "."))
  ids <- lapply(keys, function(key) as.integer(factor(key, levels = unique(key))))
  y <- rep(mu, n)
  for (k in seq_len(L)) y <- y + rnorm(max(ids[[k]]), 0, sds[k])[ids[[k]]]
  y <- y + rnorm(n, 0, sigma)
  scramble <- function(id, k) {
    g <- max(id)
    labs <- switch(1 + (k %% 3),
                   sample.int(2000000000L, g),          # sparse: dictionary path
                   sample(seq_len(3 * g)) [seq_len(g)] - g, # dense, some negative
                   rev(seq_len(g)) * 7L)                # descending, gaps
    labs[id]
  }
  perm <- sample.int(n)  # observations in random order
  labels <- lapply(seq_len(L), function(k) scramble(ids[[k]], k)[perm])
  list(y = y[perm], labels = labels)
}
frame <- function(s) {
  d <- data.frame(y = s$y)
  for (k in seq_along(s$labels)) d[[letters[k]]] <- factor(s$labels[[k]])
  d
}

set.seed(20240611)
s <- simulate(top = 9, children = list(2:6, 1:4), perLeaf = 1:6,
              sds = c(2, 1, 0.7), sigma = 1, mu = 10)
write_fixture("sim3", "simulated, unbalanced, sds 2 1 0.7, sigma 1, mu 10", s$y, s$labels,
              y ~ 1 + (1 | a/b/c), frame(s))

set.seed(7)
s <- simulate(top = 15, children = list(2:8), perLeaf = 1:10,
              sds = c(1.5, 0.5), sigma = 2, mu = -3)
write_fixture("sim2", "simulated, unbalanced, sds 1.5 0.5, sigma 2, mu -3", s$y, s$labels,
              y ~ 1 + (1 | a/b), frame(s))

# Planted top-level variance 0: lme4 finds a singular fit at the top level.
set.seed(11)
s <- simulate(top = 12, children = list(2:7), perLeaf = 1:8,
              sds = c(0, 1), sigma = 1.5, mu = 50)
write_fixture("sim2singular", "simulated, unbalanced, sds 0 1, sigma 1.5, mu 50", s$y,
              s$labels, y ~ 1 + (1 | a/b), frame(s))

set.seed(5)
s <- simulate(top = 8, children = list(2:4, 1:3, 1:3, 1:3), perLeaf = 1:4,
              sds = c(1.2, 0.9, 0.7, 0.5, 0.6), sigma = 0.8, mu = 100)
write_fixture("sim5", "simulated, unbalanced, 5 levels, sds 1.2 0.9 0.7 0.5 0.6, sigma 0.8",
              s$y, s$labels, y ~ 1 + (1 | a/b/c/d/e), frame(s))
