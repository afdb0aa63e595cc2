// @ts-check
/**
 * The words a person reads that are not in the server's table of fields: explanations,
 * messages and notices. English for now; one module, so that another language (Simplified
 * Chinese next) is one more object of the same shape. Pure: no DOM.
 *
 * Explanations are keyed by the field's name (the server's config name, or the page's own
 * setting) or by the name of a figure; a field without an entry simply has no tooltip.
 */

/** Tooltips: what a control or a figure means, in a sentence or two. */
export const HELP = /** @type {Record<string, string>} */ ({
  // Settings (by field name).
  learning_rate:
    "How big a step the weights take after each batch. Too small: learning is slow. Too large: the loss jumps about or training diverges.",
  activation:
    "The function each hidden neuron applies to its weighted sum. Tanh and sigmoid bend smoothly, ReLU cuts off below zero, linear does not bend at all.",
  regularization:
    "A penalty on large weights that keeps the network simple. L1 pushes small weights to exactly zero, L2 shrinks all weights a little.",
  regularization_rate: "How strongly the regularization penalty counts against the loss. 0 switches it off.",
  problem:
    "Classification: each point is orange or blue. Regression: each point has a value between −1 and 1 to predict. Multi-class: each point belongs to one of 3 to 5 classes, each with its own colour.",
  classes: "How many classes the points belong to (multi-class problems only). The network gets one output neuron per class.",
  optimizer: "How the gradient becomes a weight change: plain SGD, or methods that remember earlier steps (momentum, Adam).",
  init: "How the first weights are chosen when the network is reset.",
  learning_rate_decay: "Makes the learning rate smaller as the epochs go by (0: no decay).",
  dropout: "The share of hidden neurons switched off at random in each training step, so that no neuron is relied on too much.",
  speed: "How fast training runs: a few epochs per second to watch closely, or as fast as the server can.",
  dataset: "The points to learn from. Each dataset needs a different shape of decision boundary.",
  train_ratio:
    "How many of the points are used for training; the rest are test points the network never trains on.",
  noise: "How much the labels are scrambled near the boundary (or the points moved). More noise makes the task harder.",
  batch_size:
    "How many points are looked at before the weights change once. Small batches: many small noisy steps; large batches: fewer, smoother steps.",
  features: "The inputs the network sees: the point's coordinates X₁, X₂ and shapes made from them. Click one to switch it on or off.",
  hidden_layers: "Layers of neurons between the inputs and the output, and how many neurons each has.",
  seed: "The number that fixes every random choice: the same seed gives the same data and the same first weights.",
  show_test_data: "Also draw the test points (dark outline) on the map.",
  discretize: "Colour the map only orange or blue (where the output is below or above 0), without shades.",
  lines: "Draw the line where each neuron of the first hidden layer changes sign (only with exactly the inputs X₁ and X₂).",
  // Figures and counters.
  epoch: "One epoch is one pass over all the training points. “Batch” counts the weight updates done in the current epoch.",
  loss: "The mean squared error: how far the output is from the right answer. Training loss: on the points trained on. Test loss: on points never trained on; if it grows while training loss falls, the network is overfitting. Multi-class: the cross-entropy, −log of the probability given to the right class.",
  linechart: "Test loss (black) and training loss (grey) after each epoch.",
  heatmap:
    "The network's output over the whole plane: blue where it says +1, orange where it says −1, pale near 0. Points are the data, in their true colour.",
  legend: "The colour scale of data, neurons and weights: orange is −1 (negative), near-white is 0, blue is +1 (positive).",
  class_output:
    "The probability this output neuron gives its class at every point of the plane (softmax over all the output neurons), in the class's colour. Hover or focus it to see it large.",
  class_legend:
    "The colour of each class. On the map each place takes the colour of the class the network finds most probable, paler where it is less sure.",
  confusion:
    "How the network classifies each point: a row per true class, a column per predicted class. The diagonal counts the points classified correctly.",
  thumbnail: "What this neuron outputs for every point of the plane, coloured on the same scale. Hover or focus it to see it large.",
  feature_thumbnail: "This input's value over the plane. Click to switch the input on or off.",
  weights: "Lines are weights: thicker means larger, blue positive, orange negative. The small squares are biases. Click one to type a new value.",
});

/** The collapsible panel "What am I looking at?": a title and short paragraphs. */
export const EXPLAIN = {
  title: "What am I looking at?",
  paragraphs: [
    "Data (left): points of two colours. The network has to learn which colour belongs where.",
    "Network (middle): the inputs on the left feed layers of neurons; each small square shows what that neuron outputs across the plane. Lines are weights: blue positive, orange negative, thicker is stronger.",
    "Output (right): the network's answer for every point of the plane. Where the background colour matches a point's colour, that point is classified correctly. The loss numbers and the small chart show how wrong it still is.",
    "Press Play to train, or step one epoch or one batch at a time to watch each change. Any setting that changes the network pauses training, so you can compare before and after.",
  ],
};

/** Buttons named by the page's own code. */
export const LABELS = {
  projector: "Projector mode",
  projectorExit: "Leave projector mode",
};

/** Messages shown in the banner. */
export const MESSAGES = {
  notJson: "That file is not a model exported from this page: it is not a JSON file. Choose a file saved with “Export model”.",
  notModel: (/** @type {string} */ why) =>
    `That file is not a model exported from this page: ${why}. Choose a file saved with “Export model”.`,
  noAnswer: "The server does not answer. Is it still running? Check the network and try again.",
  serverFailed: (/** @type {number} */ status) =>
    `The server could not do that (error ${status}). Try again; if it keeps happening, reload the page.`,
  tooLarge: "That is more than the server accepts in one go. Choose a smaller file.",
  pageFailed: (/** @type {string} */ what) =>
    `Something went wrong on this page (${what}). Reload the page to start again.`,
};

/** Why a part of a link was ignored (the link notice). */
export const IGNORED = {
  title: "Parts of this link were ignored:",
  oneOf: (/** @type {string[]} */ values) => `one of ${values.join(", ")}`,
  between: (/** @type {number | null} */ min, /** @type {number | null} */ max, /** @type {boolean} */ whole) =>
    `a ${whole ? "whole " : ""}number${min !== null && max !== null ? ` from ${min} to ${max}` : ""}`,
  layers: (/** @type {number} */ most, /** @type {number} */ min, /** @type {number} */ max) =>
    `at most ${most} hidden layers of ${min}–${max} neurons`,
  text: (/** @type {number} */ most) => `at most ${most} characters`,
  flag: "true or false",
  noFeature: "at least one input feature must stay on",
  unknown: "this page has no such setting",
  badEscape: "it is not written correctly",
  /** "networkShape=9,9,… ignored: at most 6 hidden layers of 1–8 neurons" */
  part: (/** @type {string} */ key, /** @type {string} */ value, /** @type {string} */ why) =>
    `${key}=${value.length > 12 ? `${value.slice(0, 11)}…` : value} ignored: ${why}`,
};

/** A metric of a goal, in words (the server's names: docs/API.md, "Rooms"). */
export const METRICS = /** @type {Record<string, string>} */ ({
  test_loss: "test loss",
  train_loss: "training loss",
  test_accuracy: "test accuracy",
  train_accuracy: "training accuracy",
});

/** A student in a class: the join page and the room bar of the playground. */
export const ROOM = {
  // The join page (/join, /r/{code}).
  pageTitle: "Join a class · Neural Playground",
  joinHeading: "Join a class",
  codeLabel: "Class code",
  codeHint: "The six letters and digits your teacher shows, for example K7Q-4MZ.",
  codeButton: "Find the class",
  badCode: "A class code has 6 letters and digits, like K7Q-4MZ. Check the code and try again.",
  looking: "Looking for the class…",
  classNamed: (/** @type {string} */ code) => `Class ${code}`,
  nameLabel: "Your name",
  nameHint: "1 to 40 characters, in any language. Your teacher will see it.",
  nameEmpty: "Type your name first.",
  nameLong: (/** @type {number} */ most) => `Your name can have at most ${most} characters.`,
  joinButton: "Join",
  joining: "Joining…",
  otherCode: "Use another code",
  welcomeBack: (/** @type {string} */ name) => `Welcome back, ${name}! Taking you to your class…`,
  // When the server's answer has no sentence of its own.
  notFound: "There is no class with this code. Check the code and try again.",
  full: "This class is full. Ask your teacher what to do.",
  tooMany: "Too many tries. Wait a minute, then try again.",
  badName: "That name cannot be used. Type 1 to 40 characters.",
  // The room bar.
  barLabel: "Your class",
  you: (/** @type {string} */ name) => `You: ${name}`,
  goalBelow: (/** @type {string} */ metric, /** @type {string} */ x) => `Goal: ${metric} below ${x}`,
  goalAtLeast: (/** @type {string} */ metric, /** @type {string} */ x) => `Goal: ${metric} at least ${x}`,
  rankNeurons: "with as few neurons as you can",
  progress: (/** @type {string} */ metric, /** @type {string} */ value) => `Your ${metric} now: ${value}`,
  reached: (/** @type {string} */ epoch, /** @type {number} */ seconds) => `Goal reached at epoch ${epoch} (${seconds} s)`,
  noActivity: "Waiting for your teacher to start an activity.",
  locked: "Your teacher locked this for the activity.",
  lockedList: (/** @type {string[]} */ labels) => `Locked by your teacher: ${labels.join(", ")}.`,
  experiment: (/** @type {string} */ label, /** @type {string} */ value) =>
    `Your value in the class experiment: ${label} ${value}`,
  paused: "Your teacher has paused the class.",
  resumed: "Your teacher has resumed the class. Press Play to go on.",
  newActivity: "Your teacher started a new activity.",
  ended: "This class has ended.",
  joinLink: "Join a class",
  noNewSession: "In a class your teacher chooses the setup, so loading a model is switched off.",
};
