# Least-privilege policies for the service roles (attach them to the task/instance roles of each service).
locals {
  sqs_arn_prefix  = "arn:${data.aws_partition.current.partition}:sqs:${var.region}:${data.aws_caller_identity.current.account_id}"
  reply_queue_arn = "${local.sqs_arn_prefix}:${local.reply_queue_name_pattern}"
  match_queue_arn = "${local.sqs_arn_prefix}:${local.match_queue_name_pattern}"
  accounts_request_queue_arns = [
    for message_type, queue in aws_sqs_queue.request : queue.arn
    if startswith(message_type, "accounts.")
  ]
  accounts_dead_letter_queue_arns = [
    for message_type, queue in aws_sqs_queue.request_dlq : queue.arn
    if startswith(message_type, "accounts.")
  ]
  matches_request_queue_arns = [
    for message_type, queue in aws_sqs_queue.request : queue.arn
    if startswith(message_type, "matches.")
  ]
  matches_dead_letter_queue_arns = [
    for message_type, queue in aws_sqs_queue.request_dlq : queue.arn
    if startswith(message_type, "matches.")
  ]
  friends_request_queue_arns = [
    for message_type, queue in aws_sqs_queue.request : queue.arn
    if startswith(message_type, "friends.")
  ]
  friends_dead_letter_queue_arns = [
    for message_type, queue in aws_sqs_queue.request_dlq : queue.arn
    if startswith(message_type, "friends.")
  ]

  payments_request_queue_arns = [
    for message_type, queue in aws_sqs_queue.request : queue.arn
    if startswith(message_type, "payments.")
  ]
  payments_dead_letter_queue_arns = [
    for message_type, queue in aws_sqs_queue.request_dlq : queue.arn
    if startswith(message_type, "payments.")
  ]

  # Request types only services send (never a frontend): match results to accounts, parties to matchmaking, the
  # game servers' reports and the matches service's placements; purchase grants and clawbacks between payments and
  # accounts, and the payments service's own follow-ups (store completion retries, store refunds); the matches
  # service's activity notices to the friends service.
  service_only_message_types = [
    "accounts.apply-match-result",
    "matches.start-party-matchmaking",
    "matches.game-server-report",
    "gameserver.placement",
    "friends.player-activity",
    "accounts.grant-purchase",
    "accounts.revoke-purchase",
    "payments.purchase-granted",
    "payments.complete-purchase",
    "payments.store-refund",
    "payments.purchase-revoked",
  ]
  frontend_request_queue_arns = [
    for message_type, queue in aws_sqs_queue.request : queue.arn
    if !contains(local.service_only_message_types, message_type)
  ]
}

# Accounts service: consumes its request queues, replies to the frontends' reply queues, reads and conditionally
# writes single items of the accounts table (no deletes, no scans, no table changes).
data "aws_iam_policy_document" "accounts_service" {
  statement {
    sid = "ConsumeAccountsRequests"
    actions = [
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = local.accounts_request_queue_arns
  }

  # Every pipeline ensures its request queue and dead-letter queue at start (an idempotent CreateQueue, and
  # SetQueueAttributes when the configured visibility timeout or redrive differ from what Terraform created).
  statement {
    sid = "EnsureAccountsQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
    ]
    resources = concat(local.accounts_request_queue_arns, local.accounts_dead_letter_queue_arns)
  }

  statement {
    sid       = "SendReplies"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [local.reply_queue_arn]
  }

  # Answers to the payments service's purchase grants and clawbacks go to its queues (the commands' reply-to).
  statement {
    sid     = "SendPurchaseResults"
    actions = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [
      aws_sqs_queue.request["payments.purchase-granted"].arn,
      aws_sqs_queue.request["payments.purchase-revoked"].arn,
    ]
  }

  statement {
    sid = "AccountsTableItems"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:PutItem",
    ]
    resources = [aws_dynamodb_table.accounts.arn]
  }
}

# Frontend: sends requests, owns its reply queue (created at start, deleted at stop, orphans of its version cleaned).
data "aws_iam_policy_document" "frontend" {
  statement {
    sid       = "SendRequests"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = local.frontend_request_queue_arns
  }

  statement {
    sid = "OwnReplyQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:DeleteQueue",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
      "sqs:TagQueue",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = [local.reply_queue_arn]
  }

  statement {
    sid       = "FindOrphanReplyQueues"
    actions   = ["sqs:ListQueues"]
    resources = ["*"]
  }
}

# Matches service: consumes its request queues (client requests, parties, disconnects, game-server reports) and the
# FlexMatch events queue; replies to the frontends; sends match results to accounts and placements to game servers;
# creates one queue per match for its game server (the game server deletes it); reads and conditionally writes single
# items of the matches table; reads accounts for the game-server hand-off; calls the FlexMatch ticket APIs.
data "aws_iam_policy_document" "matches_service" {
  statement {
    sid = "ConsumeMatchesRequests"
    actions = [
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = concat(local.matches_request_queue_arns, [aws_sqs_queue.matchmaking_events.arn])
  }

  # Every pipeline ensures its request queue and dead-letter queue at start (as for accounts); the placement queue may
  # be ensured by the matches service too (GameServerClient.EnsurePlacementQueueAsync's settings). The events queue is
  # not: with MetaServer:Matchmaking:EventsQueueName set, the service never creates it.
  statement {
    sid = "EnsureMatchesQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
    ]
    resources = concat(
      local.matches_request_queue_arns,
      local.matches_dead_letter_queue_arns,
      [aws_sqs_queue.request["gameserver.placement"].arn, aws_sqs_queue.request_dlq["gameserver.placement"].arn],
    )
  }

  statement {
    sid       = "SendReplies"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [local.reply_queue_arn]
  }

  statement {
    sid     = "SendMatchResultsAndPlacements"
    actions = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [
      aws_sqs_queue.request["accounts.apply-match-result"].arn,
      aws_sqs_queue.request["gameserver.placement"].arn,
    ]
  }

  # Players' queue/match activity for their friends' presence (friends service).
  statement {
    sid       = "SendFriendActivity"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [aws_sqs_queue.request["friends.player-activity"].arn]
  }

  statement {
    sid = "OwnMatchQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
      "sqs:SendMessage",
      "sqs:DeleteQueue",
    ]
    resources = [local.match_queue_arn]
  }

  statement {
    sid = "MatchesTableItems"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:PutItem",
      "dynamodb:DeleteItem",
    ]
    resources = [aws_dynamodb_table.matches.arn]
  }

  statement {
    sid = "ReadAccounts"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
    ]
    resources = [aws_dynamodb_table.accounts.arn]
  }

  # The FlexMatch ticket actions support no resource-level permissions (tickets are not IAM resources).
  statement {
    sid = "FlexMatchTickets"
    actions = [
      "gamelift:StartMatchmaking",
      "gamelift:StopMatchmaking",
      "gamelift:AcceptMatch",
      "gamelift:DescribeMatchmaking",
    ]
    resources = ["*"]
  }
}

# Friends service: consumes its request queues (client requests, the frontends' session notices, the matches
# service's activity notices), replies and pushes events to the frontends' reply queues, reads and conditionally writes
# single items of the friends table (no scans, no table changes), reads accounts (existence, nicknames).
data "aws_iam_policy_document" "friends_service" {
  statement {
    sid = "ConsumeFriendsRequests"
    actions = [
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = local.friends_request_queue_arns
  }

  # Every pipeline ensures its request queue and dead-letter queue at start (as for accounts).
  statement {
    sid = "EnsureFriendsQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
    ]
    resources = concat(local.friends_request_queue_arns, local.friends_dead_letter_queue_arns)
  }

  statement {
    sid       = "SendRepliesAndEvents"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [local.reply_queue_arn]
  }

  statement {
    sid = "FriendsTableItems"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:PutItem",
      "dynamodb:DeleteItem",
    ]
    resources = [aws_dynamodb_table.friends.arn]
  }

  statement {
    sid = "ReadAccounts"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
    ]
    resources = [aws_dynamodb_table.accounts.arn]
  }
}

# Game server: takes placements from the shared placement queue, reads and deletes the queue of its match, posts its
# reports to the shared results queue. The placement queue is Terraform's here: production game servers do not call
# GameServerClient.EnsurePlacementQueueAsync (the sample does, against local stand-ins).
data "aws_iam_policy_document" "game_server" {
  statement {
    sid = "TakePlacements"
    actions = [
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = [aws_sqs_queue.request["gameserver.placement"].arn]
  }

  statement {
    sid = "TakeMatchQueues"
    actions = [
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:DeleteQueue",
    ]
    resources = [local.match_queue_arn]
  }

  statement {
    sid       = "SendReports"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [aws_sqs_queue.request["matches.game-server-report"].arn]
  }
}

# Payments service: consumes its request queues (redemptions, accounts' answers, store completion retries, store
# refunds); replies to the frontends; sends grants and clawbacks to accounts and its own follow-ups (completion
# retries, refunds from the App Store notification endpoint and the Google voided-purchases poller); reads and
# conditionally writes single items of the payments table. The store APIs (App Store, Google Play) are called over
# HTTPS with their own credentials, not IAM.
data "aws_iam_policy_document" "payments_service" {
  statement {
    sid = "ConsumePaymentsRequests"
    actions = [
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
    ]
    resources = local.payments_request_queue_arns
  }

  statement {
    sid = "EnsurePaymentsQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
    ]
    resources = concat(local.payments_request_queue_arns, local.payments_dead_letter_queue_arns)
  }

  statement {
    sid       = "SendReplies"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [local.reply_queue_arn]
  }

  statement {
    sid     = "SendPurchaseCommands"
    actions = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [
      aws_sqs_queue.request["accounts.grant-purchase"].arn,
      aws_sqs_queue.request["accounts.revoke-purchase"].arn,
      aws_sqs_queue.request["payments.complete-purchase"].arn,
      aws_sqs_queue.request["payments.store-refund"].arn,
    ]
  }

  statement {
    sid = "PaymentsTableItems"
    actions = [
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:PutItem",
      "dynamodb:DeleteItem",
    ]
    resources = [aws_dynamodb_table.payments.arn]
  }
}

resource "aws_iam_policy" "accounts_service" {
  name        = "metaserver-${var.environment}-${local.queue_prefix}-accounts"
  description = "MetaServer accounts service (${var.environment}, ${var.deployment_version}): its queues and the accounts table."
  policy      = data.aws_iam_policy_document.accounts_service.json
}

resource "aws_iam_policy" "frontend" {
  name        = "metaserver-${var.environment}-${local.queue_prefix}-frontend"
  description = "MetaServer frontend (${var.environment}, ${var.deployment_version}): request queues and its reply queues."
  policy      = data.aws_iam_policy_document.frontend.json
}

resource "aws_iam_policy" "matches_service" {
  name        = "metaserver-${var.environment}-${local.queue_prefix}-matches"
  description = "MetaServer matches service (${var.environment}, ${var.deployment_version}): its queues, per-match queues, the matches table, accounts reads, FlexMatch tickets."
  policy      = data.aws_iam_policy_document.matches_service.json
}

resource "aws_iam_policy" "game_server" {
  name        = "metaserver-${var.environment}-${local.queue_prefix}-game-server"
  description = "MetaServer game server (${var.environment}, ${var.deployment_version}): placements, its match queue, reports."
  policy      = data.aws_iam_policy_document.game_server.json
}

resource "aws_iam_policy" "friends_service" {
  name        = "metaserver-${var.environment}-${local.queue_prefix}-friends"
  description = "MetaServer friends service (${var.environment}, ${var.deployment_version}): its queues, reply queues, the friends table, accounts reads."
  policy      = data.aws_iam_policy_document.friends_service.json
}

resource "aws_iam_policy" "payments_service" {
  name        = "metaserver-${var.environment}-${local.queue_prefix}-payments"
  description = "MetaServer payments service (${var.environment}, ${var.deployment_version}): its queues, grants and clawbacks to accounts, the payments table."
  policy      = data.aws_iam_policy_document.payments_service.json
}
