package lhw.oracle;

import io.littlehorse.sdk.common.proto.ExponentialBackoffRetryPolicy;
import io.littlehorse.sdk.common.proto.LHErrorType;
import io.littlehorse.sdk.common.proto.VariableMutationType;
import io.littlehorse.sdk.common.proto.VariableType;
import io.littlehorse.sdk.wfsdk.NodeOutput;
import io.littlehorse.sdk.wfsdk.SpawnedChildWf;
import io.littlehorse.sdk.wfsdk.SpawnedThread;
import io.littlehorse.sdk.wfsdk.SpawnedThreads;
import io.littlehorse.sdk.wfsdk.TaskNodeOutput;
import io.littlehorse.sdk.wfsdk.UserTaskOutput;
import io.littlehorse.sdk.wfsdk.WfRunVariable;
import io.littlehorse.sdk.wfsdk.Workflow;
import io.littlehorse.sdk.wfsdk.WorkflowThread;
import java.util.List;
import java.util.Map;

/**
 * The examples of examples/, written once with the official Java SDK. Prints one JSON object:
 * workflow name to its PutWfSpecRequest (protobuf JSON).
 */
public final class Oracle {
    private Oracle() {}

    /** examples/hello.lhw */
    static Workflow hello() {
        return Workflow.newWorkflow("hello", wf -> {
            WfRunVariable name = wf.declareStr("name").required();
            WfRunVariable greeting = wf.declareStr("greeting").asPublic();
            TaskNodeOutput reply = wf.execute("greet", name);
            greeting.assign(wf.format("{0} (sent to {1})", reply, name));
        });
    }

    /** examples/retry-loop.lhw */
    static Workflow retryLoop() {
        return Workflow.newWorkflow("retry-loop", wf -> {
            WfRunVariable paymentId = wf.declareStr("payment-id").required();
            WfRunVariable maxAttempts = wf.declareInt("max-attempts").withDefault(5);
            WfRunVariable state = wf.declareStr("state").asPublic().withDefault("pending");
            WfRunVariable attempts = wf.declareInt("attempts").withDefault(0);
            WfRunVariable delay = wf.declareInt("delay-seconds").withDefault(10);

            wf.doWhile(state.isEqualTo("pending").and(attempts.isLessThan(maxAttempts)), loop -> {
                loop.mutate(attempts, VariableMutationType.ADD, 1);
                state.assign(loop.execute("check-payment", paymentId));
                loop.doIf(state.isEqualTo("pending"), pending -> {
                    pending.sleepSeconds(delay);
                    pending.mutate(delay, VariableMutationType.MULTIPLY, 2);
                });
            });
            wf.doIf(state.isNotEqualTo("settled"), unsettled ->
                unsettled.fail("payment-not-settled", "The payment did not settle in time."));
            wf.execute("record-settlement", paymentId, attempts);
            wf.sleepSeconds(60);
        });
    }

    /** examples/order-approval.lhw */
    static Workflow orderApproval() {
        return Workflow.newWorkflow("order-approval", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").required().searchable();
            WfRunVariable order = wf.declareJsonObj("order").searchableOn("$.customer.email", VariableType.STR);
            WfRunVariable status = wf.declareStr("status").asPublic().withDefault("received");
            WfRunVariable approved = wf.declareBool("approved").withDefault(false);
            WfRunVariable total = wf.declareDouble("total").withDefault(0.0);

            order.assign(wf.execute("fetch-order", orderId));
            total.assign(order.get("total").castToDouble());
            wf.doIf(total.isGreaterThan(10000.0), tooLarge -> {
                status.assign("rejected");
                tooLarge.execute("notify-customer", order.get("customer").get("email"),
                    tooLarge.format("Order {0} exceeds the order limit.", orderId));
                tooLarge.fail("order-too-large", "The order total is above the limit.");
            }).doElseIf(total.isGreaterThan(500.0), large -> {
                status.assign("awaiting-approval");
                approved.assign(large.execute("request-manager-approval", orderId, total));
            }).doElse(small -> approved.assign(true));
            wf.doIf(approved.isEqualTo(false), declined -> {
                status.assign("declined");
                declined.execute("notify-customer", order.get("customer").get("email"),
                    declined.format("Order {0} was declined.", orderId));
                declined.complete();
            });
            TaskNodeOutput tracking = wf.execute("ship-order", orderId);
            status.assign("shipped");
            wf.execute("notify-customer", order.get("customer").get("email"),
                wf.format("Order {0} is on its way: {1}", orderId, tracking));
        });
    }

    /** examples/inventory.lhw */
    static Workflow inventory() {
        return Workflow.newWorkflow("inventory", wf -> {
            WfRunVariable skus = wf.declareJsonArr("skus").required();
            WfRunVariable pending = wf.declareJsonArr("pending");
            WfRunVariable reserved = wf.declareJsonArr("reserved").asPublic().withDefault(List.of());
            WfRunVariable released = wf.declareBool("released").asPublic().withDefault(false);
            WfRunVariable failedCount = wf.declareInt("failed-count").withDefault(0);
            WfRunVariable sku = wf.declareStr("sku");

            wf.registerInterruptHandler("stock-released",
                handler -> handler.mutate(released, VariableMutationType.ASSIGN, true));
            pending.assign(skus);
            wf.doWhile(pending.size().isGreaterThan(0), loop -> {
                sku.assign(pending.get(0));
                TaskNodeOutput ok = loop.execute("reserve-item", sku);
                loop.mutate(pending, VariableMutationType.REMOVE_INDEX, 0);
                loop.doIfElse(ok,
                    yes -> yes.mutate(reserved, VariableMutationType.ADD, sku),
                    no -> no.mutate(failedCount, VariableMutationType.ADD, 1));
            });
            wf.doIf(failedCount.isGreaterThan(0), failed ->
                failed.fail(reserved, "out-of-stock", "Some items could not be reserved."));
            wf.waitForCondition(released.isEqualTo(true));
            TaskNodeOutput shipment = wf.execute("ship-items", reserved);
            wf.complete(shipment);
        });
    }

    /** examples/purchase-approval.lhw */
    static Workflow purchaseApproval() {
        return Workflow.newWorkflow("purchase-approval", wf -> {
            WfRunVariable item = wf.declareStr("item").required();
            WfRunVariable amount = wf.declareDouble("amount").required();
            WfRunVariable requester = wf.declareStr("requester").required();
            WfRunVariable state = wf.declareStr("state").asPublic().withDefault("waiting");
            WfRunVariable orderRef = wf.declareStr("order-ref").asPublic().withDefault("");
            WfRunVariable expired = wf.declareBool("expired").withDefault(false);
            WfRunVariable approved = wf.declareBool("approved").withDefault(false);

            UserTaskOutput decision = wf.assignUserTask("approve-purchase", null, "managers")
                .withNotes(wf.format("{0} asks for {1} ({2})", requester, item, amount));
            wf.scheduleReminderTask(decision, 86400, "remind-managers",
                wf.format("a purchase of {0} waits for approval", item));
            wf.cancelUserTaskRunAfter(decision, 604800);
            wf.handleError(decision, LHErrorType.USER_TASK_CANCELLED,
                handler -> handler.mutate(expired, VariableMutationType.ASSIGN, true));
            wf.doIf(expired, gone -> {
                state.assign("expired");
                gone.execute("notify-requester", requester, gone.format("Your request for {0} expired.", item));
                gone.complete();
            });
            approved.assign(decision.get("approved"));
            wf.doIf(approved.isEqualTo(false), rejected -> {
                state.assign("rejected");
                rejected.execute("notify-requester", requester,
                    rejected.format("Your request for {0} was rejected.", item));
                rejected.complete();
            });
            orderRef.assign(wf.execute("place-order", item, amount).withRetries(3)
                .withExponentialBackoff(ExponentialBackoffRetryPolicy.newBuilder()
                    .setBaseIntervalMs(1000).setMaxDelayMs(60000).setMultiplier(2).build()));
            state.assign("ordered");
            wf.execute("notify-requester", requester, wf.format("Ordered {0}: {1}", item, orderRef));
        });
    }

    /** examples/e2e/expense-approval.lhw, first workflow */
    static Workflow expenseApproval() {
        return Workflow.newWorkflow("expense-approval", wf -> {
            WfRunVariable employee = wf.declareStr("employee").required();
            WfRunVariable amount = wf.declareDouble("amount").required();
            WfRunVariable approved = wf.declareBool("approved").asPublic().withDefault(false);
            WfRunVariable comment = wf.declareStr("comment").asPublic().withDefault("");
            WfRunVariable payment = wf.declareStr("payment").asPublic().withDefault("none");
            WfRunVariable withdrawn = wf.declareBool("withdrawn").withDefault(false);

            UserTaskOutput decision = wf.assignUserTask("approve-expense", null, "finance")
                .withNotes(wf.format("Expense claim of {0}: {1}", employee, amount));
            wf.scheduleReminderTask(decision, 1, "remind-approvers", "finance",
                wf.format("the claim of {0} is waiting", employee));
            wf.handleError(decision, LHErrorType.USER_TASK_CANCELLED, handler -> {
                handler.mutate(withdrawn, VariableMutationType.ASSIGN, true);
                handler.mutate(comment, VariableMutationType.ASSIGN, "the claim was withdrawn");
            });
            wf.doIf(withdrawn.isEqualTo(false), kept -> {
                approved.assign(decision.get("approved"));
                comment.assign(decision.get("comment"));
            });
            wf.doIf(approved, yes -> payment.assign(yes.execute("pay-expense", employee, amount)));
        });
    }

    /** examples/e2e/expense-approval.lhw, second workflow */
    static Workflow urgentExpense() {
        return Workflow.newWorkflow("urgent-expense", wf -> {
            WfRunVariable employee = wf.declareStr("employee").required();
            WfRunVariable approved = wf.declareBool("approved").asPublic().withDefault(false);

            UserTaskOutput decision = wf.assignUserTask("approve-expense", "manager-on-duty", null)
                .withNotes(wf.format("Urgent claim of {0}", employee))
                .withOnCancellationException("claim-expired");
            wf.cancelUserTaskRunAfter(decision, 1);
            approved.assign(decision.get("approved"));
        });
    }

    /** examples/e2e/notification-routing.lhw */
    static Workflow routeNotification() {
        return Workflow.newWorkflow("route-notification", wf -> {
            WfRunVariable channel = wf.declareStr("channel").required();
            WfRunVariable to = wf.declareStr("to").required();
            WfRunVariable orderId = wf.declareStr("order-id").required();
            WfRunVariable delivery = wf.declareStr("delivery").asPublic().withDefault("");
            delivery.assign(wf.execute(wf.format("notify-{0}", channel), to,
                    wf.format("Order {0} has shipped", orderId)).withRetries(1));
        });
    }

    /** examples/e2e/payment-retries.lhw, first workflow */
    static Workflow chargeWithRetries() {
        return Workflow.newWorkflow("charge-with-retries", wf -> {
            WfRunVariable card = wf.declareStr("card").required();
            WfRunVariable amount = wf.declareDouble("amount").required();
            WfRunVariable receipt = wf.declareStr("receipt").asPublic().withDefault("");
            receipt.assign(wf.execute("charge-card", card, amount).withRetries(2)
                .withExponentialBackoff(ExponentialBackoffRetryPolicy.newBuilder()
                    .setBaseIntervalMs(200).setMaxDelayMs(1000).setMultiplier(2).build()));
            wf.execute("notify-customer", card,
                wf.format("Charged {0} to your card: receipt {1}", amount, receipt));
        });
    }

    /** examples/e2e/payment-retries.lhw, second workflow */
    static Workflow holdWithTimeout() {
        return Workflow.newWorkflow("hold-with-timeout", wf -> {
            WfRunVariable card = wf.declareStr("card").required();
            WfRunVariable amount = wf.declareDouble("amount").required();
            WfRunVariable outcome = wf.declareStr("outcome").asPublic().withDefault("pending");
            TaskNodeOutput hold = wf.execute("hold-funds", card, amount).timeout(1);
            outcome.assign(hold);
            wf.handleError(hold, LHErrorType.TIMEOUT,
                handler -> outcome.assign("the provider did not answer"));
            TaskNodeOutput notify = wf.execute("notify-customer", card,
                wf.format("Hold on your card: {0}", outcome));
            wf.handleAnyFailure(notify,
                handler -> outcome.assign(handler.format("{0}; customer not notified", outcome)));
        });
    }

    /** examples/e2e/delivery-schedule.lhw */
    static Workflow scheduledDelivery() {
        return Workflow.newWorkflow("scheduled-delivery", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").required();
            WfRunVariable coolingOff = wf.declareInt("cooling-off").withDefault(1);
            WfRunVariable deliverAt = wf.declareTimestamp("deliver-at").required();
            WfRunVariable courier = wf.declareStr("courier").asPublic().withDefault("");
            wf.sleepSeconds(coolingOff);
            wf.sleepUntil(deliverAt);
            courier.assign(wf.execute("dispatch-courier", orderId));
        });
    }

    /** examples/e2e/order-payment.lhw */
    static Workflow orderPayment() {
        return Workflow.newWorkflow("order-payment", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").required();
            WfRunVariable paid = wf.declareDouble("paid").asPublic().withDefault(0.0);
            WfRunVariable address = wf.declareStr("address").asPublic().withDefault("");
            WfRunVariable tracking = wf.declareStr("tracking").asPublic().withDefault("");
            WfRunVariable cancelReason = wf.declareStr("cancel-reason").asPublic().withDefault("");

            wf.registerInterruptHandler("order-cancelled", handler -> {
                WfRunVariable reason = handler.declareStr(WorkflowThread.HANDLER_INPUT_VAR);
                cancelReason.assign(reason);
                handler.execute("refund-payment", orderId, reason);
                handler.fail("cancelled", "the customer cancelled the order");
            });
            var payment = wf.waitForEvent("payment-received").timeout(2).withCorrelationId(orderId);
            paid.assign(payment);
            wf.handleError(payment, LHErrorType.TIMEOUT,
                handler -> handler.fail("unpaid", "no payment arrived in time"));
            address.assign(wf.waitForEvent("address-confirmed"));
            tracking.assign(wf.execute("ship-order", orderId, address));
        });
    }

    /** examples/e2e/approval-quorum.lhw */
    static Workflow approvalQuorum() {
        return Workflow.newWorkflow("approval-quorum", wf -> {
            WfRunVariable quorum = wf.declareInt("quorum").withDefault(2);
            WfRunVariable votesFor = wf.declareInt("votes-for").asPublic().withDefault(0);
            WfRunVariable votesAgainst = wf.declareInt("votes-against").asPublic().withDefault(0);

            wf.registerInterruptHandler("vote-cast", handler -> {
                WfRunVariable approve = handler.declareBool(WorkflowThread.HANDLER_INPUT_VAR);
                handler.doIfElse(approve,
                    yes -> yes.mutate(votesFor, VariableMutationType.ADD, 1),
                    no -> no.mutate(votesAgainst, VariableMutationType.ADD, 1));
            });
            wf.waitForCondition(votesFor.isGreaterThanEq(quorum).or(votesAgainst.isGreaterThanEq(quorum)));
            wf.doIf(votesAgainst.isGreaterThanEq(quorum), rejected ->
                rejected.fail(votesAgainst, "change-rejected", "the reviewers rejected the change"));
            wf.execute("announce",
                wf.format("approved with {0} votes for and {1} against", votesFor, votesAgainst));
            wf.complete(wf.format("approved by {0} of {1}",
                votesFor.castToStr(), votesFor.add(votesAgainst).castToStr()));
        });
    }

    /** examples/e2e/order-billing.lhw, the parent */
    static Workflow orderBilling() {
        return Workflow.newWorkflow("order-billing", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").required();
            WfRunVariable amount = wf.declareDouble("amount").required();
            WfRunVariable invoiceNumber = wf.declareStr("invoice-number").asPublic().withDefault("");
            WfRunVariable billing = wf.declareStr("billing").asPublic().withDefault("pending");

            SpawnedChildWf child = wf.runWf("invoice", Map.of("order-id", orderId, "amount", amount));
            NodeOutput invoiced = wf.waitForChildWf(child);
            invoiceNumber.assign(invoiced);
            wf.handleException(invoiced, "invoice-rejected", handler -> billing.assign("rejected"));
            wf.doIf(billing.isEqualTo("pending"), pending -> {
                billing.assign("invoiced");
                pending.throwEvent("invoice-issued",
                    pending.format("invoice {0} for order {1}", invoiceNumber, orderId));
            });
        });
    }

    /** examples/e2e/order-billing.lhw, the child */
    static Workflow invoice() {
        return Workflow.newWorkflow("invoice", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").required();
            WfRunVariable amount = wf.declareDouble("amount").required();
            wf.doIf(amount.isLessThanEq(0.0), rejected ->
                rejected.fail("invoice-rejected", "an invoice needs a positive amount"));
            TaskNodeOutput number = wf.execute("create-invoice", orderId, amount);
            wf.complete(number);
        });
    }

    /** examples/e2e/stock-reservation.lhw, first workflow */
    static Workflow reserveLine() {
        return Workflow.newWorkflow("reserve-line", wf -> {
            WfRunVariable sku = wf.declareStr("sku").required();
            WfRunVariable quantity = wf.declareInt("quantity").withDefault(1);
            WfRunVariable result = wf.declareStr("result").asPublic().withDefault("new");

            wf.doIf(quantity.isLessThanEq(0), invalid ->
                invalid.fail(quantity, "invalid-quantity", "the quantity must be positive"));
            TaskNodeOutput reserved = wf.execute("reserve-stock", sku, quantity);
            result.assign(reserved);
            wf.handleException(reserved, "out-of-stock", handler -> {
                WfRunVariable details = handler.declareJsonObj(WorkflowThread.HANDLER_INPUT_VAR);
                result.assign(handler.format("backordered, {0} left", details.get("available").castToStr()));
            });
            wf.handleException(reserved, handler -> result.assign("rejected by the warehouse"));
            wf.handleError(reserved, LHErrorType.TASK_FAILURE,
                handler -> result.assign("warehouse system down"));
            wf.execute("notify-warehouse", wf.format("{0} x{1}: {2}", sku, quantity.castToStr(), result));
        });
    }

    /** examples/e2e/stock-reservation.lhw, second workflow */
    static Workflow reserveStrict() {
        return Workflow.newWorkflow("reserve-strict", wf -> {
            WfRunVariable sku = wf.declareStr("sku").required();
            WfRunVariable reservation = wf.declareStr("reservation").asPublic().withDefault("");
            TaskNodeOutput reserved = wf.execute("reserve-stock", sku, 1);
            reservation.assign(reserved);
            wf.handleError(reserved, handler ->
                handler.fail("reservation-failed", "the warehouse could not be reached"));
        });
    }

    /** examples/e2e/parallel-packing.lhw, first workflow */
    static Workflow packOrder() {
        return Workflow.newWorkflow("pack-order", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").required();
            WfRunVariable skus = wf.declareJsonArr("skus").required();
            WfRunVariable label = wf.declareStr("label").asPublic().withDefault("");
            WfRunVariable packed = wf.declareInt("packed").asPublic().withDefault(0);
            WfRunVariable problems = wf.declareJsonArr("problems").asPublic().withDefault(List.of());

            SpawnedThread labeller = wf.spawnThread(t -> {
                WfRunVariable order = t.declareStr("order").required();
                label.assign(t.execute("print-label", order));
            }, "labelling", Map.of("order", orderId));
            SpawnedThreads packers = wf.spawnThreadForEach(skus, "packer", t -> {
                WfRunVariable sku = t.declareStr(WorkflowThread.HANDLER_INPUT_VAR);
                t.execute("pack-item", sku);
                t.mutate(packed, VariableMutationType.ADD, 1);
            });
            wf.waitForThreads(SpawnedThreads.of(labeller));
            wf.waitForThreads(packers)
                .handleExceptionOnChild("damaged-item", h -> {
                    WfRunVariable details = h.declareStr(WorkflowThread.HANDLER_INPUT_VAR);
                    h.mutate(problems, VariableMutationType.ADD, h.format("damaged: {0}", details));
                    h.execute("report-problem", h.format("damaged item in order {0}: {1}", orderId, details));
                })
                .handleErrorOnChild(null, h -> h.mutate(problems, VariableMutationType.ADD, "station down"));
        });
    }

    /** examples/e2e/parallel-packing.lhw, second workflow */
    static Workflow packStrict() {
        return Workflow.newWorkflow("pack-strict", wf -> {
            WfRunVariable skus = wf.declareJsonArr("skus").required();
            WfRunVariable packed = wf.declareInt("packed").asPublic().withDefault(0);
            SpawnedThreads packers = wf.spawnThreadForEach(skus, "strict-packer", t -> {
                WfRunVariable sku = t.declareStr(WorkflowThread.HANDLER_INPUT_VAR);
                t.execute("pack-item", sku);
                t.mutate(packed, VariableMutationType.ADD, 1);
            });
            wf.waitForThreads(packers);
        });
    }

    /** examples/e2e/order-shipment.lhw, the parent */
    static Workflow orderFulfilment() {
        return Workflow.newWorkflow("order-fulfilment", wf -> {
            WfRunVariable orderId = wf.declareStr("order-id").asPublic().required();
            WfRunVariable events = wf.declareJsonArr("events").asPublic().withDefault(List.of());
            wf.mutate(events, VariableMutationType.ADD, wf.format("order {0} opened", orderId));
            wf.waitForEvent("order-closed");
            wf.mutate(events, VariableMutationType.ADD, "order closed");
        });
    }

    /**
     * Prints {name: PutWfSpecRequest} for every example; an example sdk-java refuses to build
     * prints {name: {"sdkError": message}} instead.
     */
    public static void main(String[] args) {
        List<Workflow> workflows = List.of(
            hello(), retryLoop(), orderApproval(), inventory(), purchaseApproval(), expenseApproval(), urgentExpense(),
            routeNotification(),
            chargeWithRetries(), holdWithTimeout(), scheduledDelivery(), orderPayment(),
            approvalQuorum(), orderBilling(), invoice(), reserveLine(), reserveStrict(),
            packOrder(), packStrict(), orderFulfilment());
        StringBuilder out = new StringBuilder("{\n");
        for (int i = 0; i < workflows.size(); i++) {
            Workflow w = workflows.get(i);
            String json;
            try {
                json = w.compileWfToJson();
            } catch (RuntimeException e) {
                json = "{\"sdkError\": \"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}";
            }
            out.append('"').append(w.getName()).append("\": ").append(json);
            out.append(i + 1 < workflows.size() ? ",\n" : "\n");
        }
        System.out.print(out.append("}\n"));
    }
}
