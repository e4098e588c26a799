# Least-privilege policies for the service roles (attach them to the task/instance roles of each service).
locals {
  sqs_arn_prefix  = "arn:${data.aws_partition.current.partition}:sqs:${var.region}:${data.aws_caller_identity.current.account_id}"
  reply_queue_arn = "${local.sqs_arn_prefix}:${local.reply_queue_name_pattern}"
  accounts_request_queue_arns = [
    for message_type, queue in aws_sqs_queue.request : queue.arn
    if startswith(message_type, "accounts.")
  ]
  accounts_dead_letter_queue_arns = [
    for message_type, queue in aws_sqs_queue.request_dlq : queue.arn
    if startswith(message_type, "accounts.")
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
    resources = [for queue in aws_sqs_queue.request : queue.arn]
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
