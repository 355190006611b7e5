/**
 * A short article under the tool, answering the questions learners ask about batches
 * (see the questions collected for this project): what B is, why the first samples of a batch
 * do count, whether the per-sample changes are applied in turn or averaged, how
 * backpropagation works for a batch, and what the loss curves can and cannot tell.
 */
export function Article() {
  return (
    <article className="article">
      <h2>What the batch size does</h2>

      <h3>One update per batch</h3>
      <p>
        Training a network means repeating one move: look at some samples, work out in which direction each
        weight should change to make the loss on those samples smaller (the <em>gradient</em>), and take a
        small step that way. The <strong>batch size B</strong> is how many samples the network looks at before
        it takes one step. B = 1 is <em>stochastic gradient descent</em> (SGD): a step after every sample. B =
        N, the whole dataset, is
        <em> full-batch gradient descent</em>. Everything in between is <em>mini-batch</em> gradient descent,
        the usual choice in practice.
      </p>

      <h3>Do the first samples of a batch count?</h3>
      <p>
        Yes, every one of them, equally. Within a batch the weights do <em>not</em> change: each of the B
        samples goes forward through the same network, gets its own loss, and backpropagation gives its own
        gradient, all at the same weights. Only then are the B gradients combined and the weights updated,
        once. So the first sample's gradient is as much part of the step as the last one's.
      </p>

      <h3>Apply each sample's change in turn, or average them?</h3>
      <p>
        Average them (or add them up). Applying each sample's change in turn is a different algorithm: that is
        B steps of SGD with B = 1, where each gradient is computed at weights the previous samples already
        moved. Mini-batch gradient descent computes all B gradients at the same point and takes a single step
        along their mean:
      </p>
      <p className="formula">
        g = (1/B) · Σ<sub>i in batch</sub> ∇ loss<sub>i</sub>(w), then w ← w − learning rate · g
      </p>
      <p>
        Because the gradient of a sum is the sum of the gradients, this mean is exactly the gradient of the
        batch's average loss, which is what libraries compute. Summing instead of averaging gives a step B
        times larger; with the learning rate divided by B it is the same step. Try the{' '}
        <em>Combine the B gradients by</em> setting.
      </p>

      <h3>Backpropagation for a batch</h3>
      <p>
        The backpropagation formulas you may have learned for one sample stay exactly the same. For a batch
        you run them once per sample (B forward passes and B backward passes; a GPU runs them side by side),
        accumulate the B gradients, and update once. Batching changes <em>how often</em> the weights move, not
        how a gradient is computed.
      </p>

      <h3>Don't the errors cancel out?</h3>
      <p>
        Losses cannot cancel: each is zero or positive. Gradients can point in different directions, and their
        average is smaller where the samples disagree. That is the point: the batch gradient is an estimate of
        the gradient over the whole dataset, and the more samples in the batch, the less noisy it is: its mean
        squared error shrinks like 1/B, times (N − B)/(N − 1) because a batch never repeats a sample, so it is
        exactly zero at B = N. The thin, jagged curves on the plot are the losses of single batches; the bold
        ones are the loss on the whole dataset.
      </p>

      <h3>So which B is best?</h3>
      <p>
        It depends on what you count, which is why the plot has four x axes. Per <strong>update</strong>, big
        batches win: each step follows a better gradient. Per <strong>epoch</strong> (the same number of
        samples), small batches usually win: B = 1 updates the weights N times per epoch, B = N only once. Per{' '}
        <strong>second</strong>, it depends on the hardware: for small networks like these a GPU computes a
        batch of 64 gradients in about the time of one, so moderate batches are the sweet spot. Very large
        batches spend a lot of computation to remove noise that was not hurting, and some noise can even help
        to escape poor regions of the loss. Nothing here is a law: drag the slider and race them.
      </p>

      <h3>What the numbers are</h3>
      <p>
        The loss is always the mean per-sample loss (half the squared error for regression, cross-entropy for
        classes), so curves of different B compare directly. Every run on the plot starts from the same
        initial weights and sees the samples in the same shuffled order each epoch; only B differs. Everything
        is computed in this browser, on its GPU through WebGPU when available, otherwise on the CPU; the badge
        at the top says which.
      </p>
    </article>
  );
}
