# Request queues, one per request message type, each with a dead-letter queue and redrive.
# Names exactly as MetaServer.Messaging.QueueNames makes them:
#   <lower-case deployment version>-req-<message type with '.' as '-'>, and "<queue>-dlq".
# Created at run time, not here:
#   - reply queues (<version>-reply-<frontend instance>), by the frontends (QueueNames.ReplyQueue);
#   - per-match queues (<version>-match-<match id>), created by the matches service and deleted by the game server
#     that takes the match (QueueNames.ForMatch).
# The FlexMatch events queue is in matchmaking.tf (it carries SNS notifications, not request envelopes).
locals {
  queue_prefix = lower(var.deployment_version)

  request_message_types = [
    "accounts.login-device",
    "accounts.get-account",
    "accounts.login-custom",
    "accounts.login-provider",
    "accounts.link-identity",
    "accounts.unlink-identity",
    "accounts.ban-account",
    "accounts.unban-account",
    "accounts.set-nickname",
    "accounts.set-loadout",
    "accounts.purchase",
    "accounts.claim-quest",
    "accounts.claim-daily-reward",
    "accounts.apply-match-result",
    "accounts.grant-purchase",
    "accounts.revoke-purchase",
    "matches.start-matchmaking",
    "matches.cancel-matchmaking",
    "matches.accept-match",
    "matches.get-matchmaking-status",
    "matches.get-leaderboard",
    "matches.start-party-matchmaking",
    "matches.player-disconnected",
    "matches.game-server-report",
    "gameserver.placement",
    "friends.send-request",
    "friends.accept-request",
    "friends.decline-request",
    "friends.cancel-request",
    "friends.remove",
    "friends.block",
    "friends.unblock",
    "friends.list",
    "friends.get-code",
    "friends.player-session",
    "friends.player-activity",
    "payments.redeem-purchase",
    "payments.purchase-granted",
    "payments.complete-purchase",
    "payments.store-refund",
    "payments.purchase-revoked",
  ]

  # Receives before a message moves to its dead-letter queue, where the code fixes it (others: var.queue_max_receive_count).
  request_max_receive_counts = {
    "gameserver.placement" = 5 # GameServerClient.PlacementMaxReceiveCount
  }

  request_queue_names = {
    for message_type in local.request_message_types :
    message_type => "${local.queue_prefix}-req-${replace(message_type, ".", "-")}"
  }

  reply_queue_name_pattern = "${local.queue_prefix}-reply-*"
  match_queue_name_pattern = "${local.queue_prefix}-match-*"
}

resource "aws_sqs_queue" "request_dlq" {
  for_each = local.request_queue_names

  name                      = "${each.value}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "request" {
  for_each = local.request_queue_names

  name                       = each.value
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.request_dlq[each.key].arn
    maxReceiveCount     = lookup(local.request_max_receive_counts, each.key, var.queue_max_receive_count)
  })
}

# Only its own request queue may use a dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "request_dlq" {
  for_each = local.request_queue_names

  queue_url = aws_sqs_queue.request_dlq[each.key].id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.request[each.key].arn]
  })
}
