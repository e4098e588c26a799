# FlexMatch events: GameLift publishes the events of the matchmaking configurations to an SNS topic; an SQS queue
# subscribed to it is read by the matches service (MatchmakingEventPipeline). The queue is owned here: the service gets
# its name through MetaServer:Matchmaking:EventsQueueName (output matchmaking_events_queue_name) and then never
# creates it. Bodies are the event JSON itself (raw message delivery); MatchmakingEventParser also reads SNS envelopes.
# The matchmaking configurations and rule sets are not declared here (the hashicorp/aws provider has no resources for
# them): README.md says how to create them with this topic as their notification target.
locals {
  matchmaking_events_queue_name = "${local.queue_prefix}-matchmaking-events"
}

# Not encrypted with the AWS managed SNS key: GameLift can only publish to a topic encrypted with a customer managed
# KMS key whose policy lets gamelift.amazonaws.com use it.
resource "aws_sns_topic" "matchmaking_events" {
  name = "metaserver-${var.environment}-${local.queue_prefix}-matchmaking-events"
}

# Only GameLift, for matchmaking configurations of this account and region, may publish.
data "aws_iam_policy_document" "matchmaking_events_topic" {
  statement {
    sid       = "GameLiftPublishes"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.matchmaking_events.arn]

    principals {
      type        = "Service"
      identifiers = ["gamelift.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:gamelift:${var.region}:${data.aws_caller_identity.current.account_id}:matchmakingconfiguration/*"]
    }
  }
}

resource "aws_sns_topic_policy" "matchmaking_events" {
  arn    = aws_sns_topic.matchmaking_events.arn
  policy = data.aws_iam_policy_document.matchmaking_events_topic.json
}

resource "aws_sqs_queue" "matchmaking_events_dlq" {
  name                      = "${local.matchmaking_events_queue_name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# An event that does not parse is left on the queue and reaches the dead-letter queue after the max receive count.
resource "aws_sqs_queue" "matchmaking_events" {
  name                       = local.matchmaking_events_queue_name
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.matchmaking_events_dlq.arn
    maxReceiveCount     = var.queue_max_receive_count
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "matchmaking_events_dlq" {
  queue_url = aws_sqs_queue.matchmaking_events_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.matchmaking_events.arn]
  })
}

# Only the topic may send to the events queue.
data "aws_iam_policy_document" "matchmaking_events_queue" {
  statement {
    sid       = "TopicSends"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.matchmaking_events.arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.matchmaking_events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "matchmaking_events" {
  queue_url = aws_sqs_queue.matchmaking_events.id
  policy    = data.aws_iam_policy_document.matchmaking_events_queue.json
}

resource "aws_sns_topic_subscription" "matchmaking_events" {
  topic_arn            = aws_sns_topic.matchmaking_events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.matchmaking_events.arn
  raw_message_delivery = true

  # The queue accepts the topic's messages before the subscription delivers any.
  depends_on = [aws_sqs_queue_policy.matchmaking_events]
}
